//! The help of `start-attachment-upload` and `complete-attachment-upload`, an upload's
//! first and last steps as commands of their own.

pub(super) const HELP_START_UPLOAD: &str = "\
StartAttachmentUpload: the first of an upload's three steps, alone: the
upload URL and the headers to PUT the file's bytes with. upload-attachment
<FILE> does all three steps.

Usage: connect-participant [OPTIONS] start-attachment-upload
           --attachment-name <NAME> --attachment-size-in-bytes <N>
           [--content-type <TYPE>] [--client-token <TOKEN>]

Options:
  --attachment-name <NAME>        the attachment's name, 1 to 256 characters,
                                  with an extension the service takes (see
                                  upload-attachment --help) (required)
  --attachment-size-in-bytes <N>  the file's exact size, 1 to 20,000,000
                                  bytes (required)
  --content-type <TYPE>           the MIME type (default: the one of the
                                  name's extension, such as application/pdf
                                  for .pdf; the AWS CLI requires the option)
  --client-token <TOKEN>          the idempotency token (default: a new
                                  UUID v4)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.

Output: upload started: AttachmentId <id>, upload URL expires <time>, then
header <name>: <value> for each header the PUT must carry. The upload URL
grants access by itself, so it is printed only with --output json:
{\"AttachmentId\":...,\"UploadMetadata\":{\"Url\":...,\"UrlExpiry\":...,
\"HeadersToInclude\":{...}}}. PUT the bytes to Url with every header, then
run complete-attachment-upload --attachment-ids <id>.
";

pub(super) const HELP_COMPLETE_UPLOAD: &str = "\
CompleteAttachmentUpload: the last of an upload's three steps, alone, once
the file's bytes are PUT to the upload URL: the attachment is then shared in
the chat. upload-attachment <FILE> does all three steps.

Usage: connect-participant [OPTIONS] complete-attachment-upload
           --attachment-ids <ID> [--client-token <TOKEN>]

Options:
  --attachment-ids <ID>    the AttachmentId start-attachment-upload gave
                           (required; a list in the AWS CLI, of exactly one
                           id for the service)
  --client-token <TOKEN>   the idempotency token (default: a new UUID v4)

The connection token is read from CONNECT_CONNECTION_TOKEN or, when that is
unset or empty, from the first line of standard input; never from an argument.
Output: completed the upload of attachment <id>; with --output json nothing
(the answer has no members, and the AWS CLI prints nothing for it).
";

#[cfg(test)]
mod tests {
    use crate::args::Name;
    use crate::help::help;

    #[test]
    fn the_steps_help_names_every_option_and_fits_80_columns() {
        let cases: [(Name, &[&str]); 2] = [
            (
                Name::StartAttachmentUpload,
                &[
                    "start-attachment-upload",
                    "--attachment-name <NAME>",
                    "--attachment-size-in-bytes <N>",
                    "--content-type <TYPE>",
                    "--client-token <TOKEN>",
                    "--output json",
                    "complete-attachment-upload --attachment-ids <id>",
                    "CONNECT_CONNECTION_TOKEN",
                ],
            ),
            (
                Name::CompleteAttachmentUpload,
                &[
                    "complete-attachment-upload",
                    "--attachment-ids <ID>",
                    "--client-token <TOKEN>",
                    "--endpoint-url <URL>",
                    "CONNECT_CONNECTION_TOKEN",
                ],
            ),
        ];
        for (name, words) in cases {
            let text = help(Some(name));
            for w in words {
                assert!(text.contains(w), "{name:?}: {w}");
            }
            for line in text.lines() {
                assert!(line.chars().count() <= 80, "{line}");
            }
        }
        let all = help(None);
        assert!(all.contains("  start-attachment-upload  "), "{all}");
        assert!(all.contains("  complete-attachment-upload  "), "{all}");
    }
}
