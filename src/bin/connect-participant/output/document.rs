//! The AWS CLI's `--output json`: one document per answer, written as the AWS CLI writes
//! it (awscli's `formatter.py`: Python's `json.dump(response, indent=4,
//! ensure_ascii=False)` and a line break, nothing at all for an empty answer), with the
//! members botocore keeps: the model's, in the model's order.

use connect_participant::Item;

use super::Json;

/// One indentation step of the AWS CLI's JSON.
const INDENT: &str = "    ";

/// The AWS CLI's form of a compact JSON text: each member and element on a line of its
/// own, indented by four spaces a level, `": "` between a name and its value, `{}` and
/// `[]` for empty ones, strings as they are (non-ASCII characters unescaped, as
/// `ensure_ascii=False` writes them; serde_json escapes what Python's `json` escapes).
/// `None` for `{}`: the AWS CLI prints nothing for an empty answer.
pub fn document(compact: &str) -> Option<String> {
    if compact.trim() == "{}" {
        return None;
    }
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut chars = compact.chars().peekable();
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(INDENT);
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|n| n.is_ascii_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|&n| n == '}' || n == ']') {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out.push('\n');
    Some(out)
}

/// The item as botocore parses it: the members of the service's model alone. The members
/// this crate keeps beside them (unknown ones, a streamed message's `MessageCompleted` and
/// `ChunkNumber`) are left out, as the AWS CLI leaves them out.
pub fn model_item(item: &Item) -> Item {
    let mut item = item.clone();
    item.unknown_members.clear();
    if let Some(m) = item.message_metadata.as_mut() {
        m.message_completed = None;
        m.chunk_number = None;
    }
    item
}

/// GetTranscript's answer: `{"InitialContactId":...,"Transcript":[...],"NextToken":...}`,
/// compact, the items as [`model_item`] keeps them. `Transcript` is always written (the
/// service always answers it, `[]` when empty).
pub fn transcript_json(
    initial_contact_id: Option<&str>,
    transcript: &[Item],
    next_token: Option<&str>,
) -> String {
    let items: Vec<String> = transcript.iter().map(|i| model_item(i).to_json()).collect();
    Json::default()
        .string("InitialContactId", initial_contact_id)
        .member("Transcript", Some(format!("[{}]", items.join(","))))
        .string("NextToken", next_token)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_written_as_pythons_json_dump_with_indent_4() {
        // Expected: Python's json.dumps(json.loads(compact), indent=4, ensure_ascii=False)
        // and a line break, as awscli's formatter writes it. Braces, brackets, commas and
        // colons inside strings are left alone; empty containers stay on their line.
        let compact = "{\"A\":\"x{,}:[\\\"]\\\\\",\"B\":[],\"C\":{},\"D\":[1,{\"E\":\"é ✓ \\u0001\u{7f}\\n\"}],\"G\":true,\"H\":null,\"I\":[[]]}";
        let want = "{\n    \"A\": \"x{,}:[\\\"]\\\\\",\n    \"B\": [],\n    \"C\": {},\n    \"D\": [\n        1,\n        {\n            \"E\": \"é ✓ \\u0001\u{7f}\\n\"\n        }\n    ],\n    \"G\": true,\n    \"H\": null,\n    \"I\": [\n        []\n    ]\n}\n";
        assert_eq!(document(compact).as_deref(), Some(want));
        // Whitespace between tokens (the library's JSON is compact, but not by contract)
        // does not change it.
        let spaced = compact.replace(",\"", ", \"").replace("[]", "[ ]");
        assert_eq!(document(&spaced).as_deref(), Some(want));
    }

    #[test]
    fn an_empty_answer_prints_nothing() {
        assert_eq!(document("{}"), None);
        assert_eq!(
            document("{\"A\":{}}").as_deref(),
            Some("{\n    \"A\": {}\n}\n")
        );
    }

    #[test]
    fn strings_are_escaped_as_python_escapes_them_with_ensure_ascii_false() {
        // Python: json.dumps("".join(map(chr, range(0x20))) + "\x7f\"\\\u2028é😀",
        // ensure_ascii=False).
        let all: String = (0u8..0x20)
            .map(char::from)
            .chain(['\u{7f}', '"', '\\', '\u{2028}', 'é', '😀'])
            .collect();
        let python = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\u{7f}\\\"\\\\\u{2028}é😀\"";
        let compact = Json::default().string("S", Some(&all)).finish();
        assert_eq!(
            document(&compact),
            Some(format!("{{\n    \"S\": {python}\n}}\n"))
        );
    }

    #[test]
    fn a_transcript_keeps_the_models_members_alone() {
        let line = r#"{"Id":"m-1","Type":"MESSAGE","MessageMetadata":{"MessageId":"m-1","MessageCompleted":true,"ChunkNumber":2},"Later":[1]}"#;
        let item = Item::from_json(line).unwrap();
        assert_eq!(
            transcript_json(Some("c-1"), std::slice::from_ref(&item), Some("next")),
            r#"{"InitialContactId":"c-1","Transcript":[{"Id":"m-1","Type":"MESSAGE","MessageMetadata":{"MessageId":"m-1"}}],"NextToken":"next"}"#
        );
        assert_eq!(transcript_json(None, &[], None), r#"{"Transcript":[]}"#);
        // The item itself still has them (watch prints them).
        assert_eq!(item.to_json(), line);
    }
}
