//! The attachment commands: `upload-attachment`, its first and last steps alone
//! (`start-attachment-upload`, `complete-attachment-upload`), and `get-attachment` with or
//! without `--output-file`, and the local files they read and write.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use connect_participant::__cli::quoted;
use connect_participant::{
    Client, CompleteAttachmentUploadRequest, ConnectionToken, GetAttachmentRequest,
    MAX_ATTACHMENT_BYTES, StartAttachmentUploadRequest, UploadAttachmentRequest,
};

use super::{Call, Failure};
use crate::args::TokenKind;
use crate::output;

/// `upload-attachment`: the file, opened before the token was read, streamed from disk by
/// the library, never read whole.
pub(super) fn upload(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &UploadAttachmentRequest,
    file: File,
) -> Result<(), Failure> {
    let out = call.client.upload_attachment(token, request, file)?;
    if call.json {
        call.answer()
            .document(&output::uploaded_json(&out.attachment_id, out.size));
    } else {
        call.answer().line(&output::uploaded_line(
            request.name(),
            &out.attachment_id,
            out.size,
        ));
    }
    Ok(())
}

/// `start-attachment-upload`: StartAttachmentUpload alone. The upload URL grants access by
/// itself, so, as get-attachment's download URL, it is printed only as JSON; for people,
/// the attachment id, the URL's expiry and the headers to PUT with.
pub(super) fn start_upload(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &StartAttachmentUploadRequest,
) -> Result<(), Failure> {
    let out = call.client.start_attachment_upload(token, request)?;
    let json = call.json;
    let mut answer = call.answer();
    if json {
        answer.document(&output::upload_started_json(&out));
    } else {
        for line in output::upload_started_lines(&out) {
            if !answer.line(&line) {
                break;
            }
        }
        answer.note(output::UPLOAD_URL_NOTE);
    }
    Ok(())
}

/// `complete-attachment-upload`: CompleteAttachmentUpload alone, once the bytes are PUT.
/// Its answer has no members: with `--output json` nothing is printed, as the AWS CLI
/// prints nothing for an empty answer.
pub(super) fn complete_upload(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &CompleteAttachmentUploadRequest,
) -> Result<(), Failure> {
    call.client.complete_attachment_upload(token, request)?;
    if !call.json {
        let line = output::upload_completed_line(request.attachment_id());
        call.answer().line(&line);
    }
    Ok(())
}

/// `get-attachment`: the attachment saved to the file `local` made, or else its size and
/// download URL (the URL only as JSON: it grants access to the file by itself).
pub(super) fn get_attachment(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetAttachmentRequest,
    local: Local,
) -> Result<(), Failure> {
    if let Local::Download(mut partial) = local {
        return save(call, token, request, &mut partial);
    }
    let out = call.client.get_attachment(token, request)?;
    let json = call.json;
    let mut answer = call.answer();
    if json {
        answer.document(&output::attachment_json(&out));
    } else {
        answer.line(&output::attachment_line(&out));
        answer.note(output::ATTACHMENT_URL_NOTE);
    }
    Ok(())
}

/// `get-attachment --output-file`: the download, then the line saying where it went.
fn save(
    call: &mut Call<'_, '_>,
    token: &ConnectionToken,
    request: &GetAttachmentRequest,
    partial: &mut Partial,
) -> Result<(), Failure> {
    let n = download(call.client, token, request, partial, call.known)?;
    let path = partial.target.to_string_lossy().into_owned();
    if call.json {
        call.answer().document(&output::saved_json(n, &path));
    } else {
        call.answer().line(&output::saved_line(n, &path));
    }
    Ok(())
}

/// The local file a command uses, opened or made before the token is read.
pub(super) enum Local {
    None,
    /// The attachment to upload.
    Upload(File),
    /// Where get-attachment --output-file writes.
    Download(Partial),
}

/// Opens the attachment to upload and measures it. Refused here, before anything is sent:
/// a file that cannot be opened, or is not a regular file (a directory, a pipe: the
/// service needs the size first, and the upload may have to be sent again from the start).
pub(super) fn open_attachment(path: &Path) -> Result<(File, u64), Failure> {
    let shown = quoted(&path.to_string_lossy());
    let file = File::open(path)
        .map_err(|e| Failure::Input(format!("cannot open {shown}: {e}; nothing was sent")))?;
    let meta = file
        .metadata()
        .map_err(|e| Failure::Input(format!("cannot read {shown}: {e}; nothing was sent")))?;
    if !meta.is_file() {
        return Err(Failure::Input(format!(
            "{shown} is not a regular file; nothing was sent"
        )));
    }
    Ok((file, meta.len()))
}

/// The temporary file a download goes to, next to its target, renamed onto the target
/// once whole: a failed download leaves nothing behind, and never a partial target.
/// Removed when dropped unless [`Partial::finish`] renamed it.
pub(super) struct Partial {
    pub(super) file: Option<File>,
    pub(super) temporary: PathBuf,
    pub(super) target: PathBuf,
}

impl Partial {
    /// Makes the temporary file (`.<name>.<pid>.part`, next to `target`), new: never one
    /// that exists.
    pub(super) fn create(target: &Path) -> Result<Partial, Failure> {
        let shown = quoted(&target.to_string_lossy());
        let Some(name) = target.file_name() else {
            return Err(Failure::Input(format!(
                "--output-file {shown} names no file; nothing was sent"
            )));
        };
        if target.is_dir() {
            return Err(Failure::Input(format!(
                "--output-file {shown} is a directory; nothing was sent"
            )));
        }
        let mut temporary_name = OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".{}.part", std::process::id()));
        let temporary = target.with_file_name(temporary_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
            .map_err(|e| {
                Failure::Input(format!(
                    "cannot write next to --output-file {shown}: {e}; nothing was sent"
                ))
            })?;
        Ok(Partial {
            file: Some(file),
            temporary,
            target: target.to_owned(),
        })
    }

    /// Writes the file's bytes to disk and renames it onto the target.
    pub(super) fn finish(&mut self) -> Result<(), Failure> {
        let shown = quoted(&self.target.to_string_lossy());
        let fail = |e: io::Error| {
            Failure::LocalFile(format!(
                "could not save the attachment to {shown}: {e}; nothing was written there"
            ))
        };
        if let Some(file) = self.file.take() {
            file.sync_all().map_err(fail)?;
        }
        fs::rename(&self.temporary, &self.target).map_err(fail)?;
        self.temporary = PathBuf::new();
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.temporary.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

/// `get-attachment --output-file`: GetAttachment, then the download from its URL to the
/// temporary file (at most [`MAX_ATTACHMENT_BYTES`]), then the rename. The URL is added to
/// the known secrets as soon as it is known, so that no report shows it.
fn download(
    client: &Client,
    token: &ConnectionToken,
    request: &GetAttachmentRequest,
    partial: &mut Partial,
    known: &mut Vec<(TokenKind, String)>,
) -> Result<u64, Failure> {
    let out = client.get_attachment(token, request)?;
    let Some(url) = out.url else {
        return Err(Failure::Answer(
            "the service answered GetAttachment without a Url".into(),
        ));
    };
    known.push((TokenKind::Connection, url.expose_secret().to_owned()));
    let Some(file) = partial.file.as_mut() else {
        unreachable!("finished only once")
    };
    let n = client.download_attachment(&url, file, MAX_ATTACHMENT_BYTES)?;
    let expected = out.attachment_size_in_bytes;
    // 0: the service left the size out.
    if expected != 0 && n != expected {
        return Err(Failure::Answer(format!(
            "the download has {n} bytes, but GetAttachment gave AttachmentSizeInBytes \
             {expected}; nothing was written to the output file"
        )));
    }
    partial.finish()?;
    Ok(n)
}
