//! upload-attachment and get-attachment: the file's bytes both ways, streamed.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use connect_participant::__cli::{AWS_VARIABLES, PROXY_VARIABLES};
use connect_participant::ConnectionToken;
use connect_participant::emulator::Emulator;
use serde_json::Value;

use super::{
    Token, assert_command_usage_error, assert_success, assert_unleaked, chat, code, send_with,
    spawn_env, stderr, stdout,
};
use crate::support::process::{BIN, bounded_wait};

/// A directory of its own under the system's temporary one, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("cp-cli-it-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    /// The path of `name` in it, as an argument.
    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_owned()
    }

    /// A file of `size` bytes, a pattern that a shifted or truncated copy would not match.
    fn file(&self, name: &str, size: usize) -> (String, Vec<u8>) {
        let bytes: Vec<u8> = (0..size).map(|i| (i * 7 + i / 251) as u8).collect();
        let path = self.path(name);
        std::fs::write(&path, &bytes).unwrap();
        (path, bytes)
    }

    /// The names of the files in it, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The attachment id of `uploaded <name>: AttachmentId <id>, <n> bytes`, checked.
fn uploaded_id(out: &Output, name: &str, size: usize) -> String {
    assert_success(out);
    let line = stdout(out);
    let rest = line
        .strip_prefix(&format!("uploaded {name}: AttachmentId "))
        .unwrap_or_else(|| panic!("{line}"));
    let (id, tail) = rest.split_once(", ").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(tail, format!("{size} bytes\n"));
    id.to_owned()
}

#[test]
fn upload_attachment_sends_the_files_bytes_and_prints_its_id() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("upload");
    let (small, small_bytes) = dir.file("notes.txt", 12);
    let (big, big_bytes) = dir.file("Scan.PDF", 3_000_000);

    let out = send_with(&emulator, &token, &["upload-attachment", &small]);
    let id = uploaded_id(&out, "notes.txt", 12);
    assert_eq!(emulator.attachment(&id), Some(small_bytes));

    // 3 MB, the type from the extension whatever its case, and --output json.
    let out = send_with(
        &emulator,
        &token,
        &["upload-attachment", &big, "--output", "json"],
    );
    assert_success(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let id = json["AttachmentId"].as_str().unwrap().to_owned();
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"AttachmentId\": \"{id}\",\n    \"AttachmentSizeInBytes\": 3000000\n}}\n"
        )
    );
    assert_eq!(emulator.attachment(&id).as_deref(), Some(&big_bytes[..]));
    let start = emulator
        .seen_requests()
        .into_iter()
        .rfind(|r| r.path == "/participant/start-attachment-upload")
        .expect("a StartAttachmentUpload");
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["AttachmentName"], "Scan.PDF");
    assert_eq!(body["ContentType"], "application/pdf");
    assert_eq!(body["AttachmentSizeInBytes"], 3_000_000);

    // --content-type wins over the extension.
    let out = send_with(
        &emulator,
        &token,
        &["upload-attachment", &small, "--content-type", "text/csv"],
    );
    uploaded_id(&out, "notes.txt", 12);
    let start = emulator
        .seen_requests()
        .into_iter()
        .rfind(|r| r.path == "/participant/start-attachment-upload")
        .unwrap();
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(body["ContentType"], "text/csv");
    // The token went to the service only, never to the upload URL.
    assert_eq!(emulator.bearer_refusals(), 0);
}

#[test]
fn upload_attachment_refuses_an_unknown_extension_or_a_missing_file_sending_nothing() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("refuse");
    let (exe, _) = dir.file("setup.exe", 10);
    let before = emulator.requests();
    let out = send_with(&emulator, &token, &["upload-attachment", &exe]);
    assert_command_usage_error(
        &out,
        "upload-attachment",
        "\"setup.exe\" has no extension the service takes: it takes .csv, .doc, .docx, \
         .heic, .jfif, .jpeg, .jpg, .mov, .mp4, .pdf, .png, .ppt, .pptx, .rtf, .txt, .wav, \
         .xls, .xlsx",
    );
    let missing = dir.path("missing.pdf");
    let out = send_with(&emulator, &token, &["upload-attachment", &missing]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        format!(
            "error: cannot open \"{missing}\": No such file or directory (os error 2); \
             nothing was sent\n"
        )
    );
    let (empty, _) = dir.file("empty.pdf", 0);
    let out = send_with(&emulator, &token, &["upload-attachment", &empty]);
    assert_eq!(code(&out), 2, "{out:?}");
    assert_eq!(
        stderr(&out),
        "error: invalid AttachmentSizeInBytes: 0 bytes, must be 1 to 20000000 (20 MB)\n"
    );
    assert_eq!(emulator.requests(), before);
}

#[test]
fn upload_attachment_past_the_chats_quota_exits_3() {
    let emulator = Emulator::builder()
        .max_attachments_per_chat(1)
        .start()
        .unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("quota");
    let (file, _) = dir.file("a.png", 100);
    uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "a.png",
        100,
    );
    let out = send_with(&emulator, &token, &["upload-attachment", &file]);
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: attachment upload failed at step 1 of 3, StartAttachmentUpload: "),
        "{err}"
    );
    assert!(
        err.contains("error type: ServiceQuotaExceededException\n"),
        "{err}"
    );
}

#[test]
fn get_attachment_prints_its_size_and_saves_it_with_output_file() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("get");
    let (file, bytes) = dir.file("report.pdf", 3_000_000);
    let id = uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "report.pdf",
        3_000_000,
    );

    // For people: the size and the URL's expiry, not the URL.
    let out = send_with(
        &emulator,
        &token,
        &["get-attachment", "--attachment-id", &id],
    );
    assert_eq!(code(&out), 0, "{out:?}");
    let line = stdout(&out);
    assert!(
        line.starts_with("attachment of 3000000 bytes: download URL expires "),
        "{line}"
    );
    assert!(!line.contains("http"), "{line}");
    assert_eq!(
        stderr(&out),
        "the download URL is not printed, as it grants access to the file by itself: \
         --output json prints it, --output-file <PATH> saves the file\n"
    );
    // JSON: the URL too, pointing at the emulator.
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--url-expiry-in-seconds",
            "60",
            "--url-content-disposition",
            "INLINE",
            "--json",
        ],
    );
    assert_success(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        json["Url"]
            .as_str()
            .unwrap()
            .starts_with(&emulator.endpoint_url()),
        "{json}"
    );
    assert!(json["UrlExpiry"].is_string(), "{json}");
    assert_eq!(json["AttachmentSizeInBytes"], 3_000_000);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 3, "{json}");

    // --output-file: the bytes, whole, and nothing else left in the directory.
    let target = dir.path("copy.pdf");
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
        ],
    );
    assert_success(&out);
    assert_eq!(stdout(&out), format!("saved 3000000 bytes to {target}\n"));
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(dir.names(), ["copy.pdf", "report.pdf"]);
    // Again, replacing it, with --output json.
    std::fs::write(&target, b"old").unwrap();
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
            "--output",
            "json",
        ],
    );
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!(
            "{{\n    \"AttachmentSizeInBytes\": 3000000,\n    \"OutputFile\": {}\n}}\n",
            Value::from(target.as_str())
        )
    );
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    assert_eq!(emulator.bearer_refusals(), 0);

    // Refused by the service: exit 3, the existing file untouched, nothing left behind.
    std::fs::write(&target, b"kept").unwrap();
    let out = send_with(
        &emulator,
        &token,
        &[
            "get-attachment",
            "--attachment-id",
            "no-such-id",
            "--output-file",
            &target,
        ],
    );
    assert_eq!(code(&out), 3, "{out:?}");
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    assert_eq!(dir.names(), ["copy.pdf", "report.pdf"]);
}

/// The process's peak resident set (`VmHWM`, bytes), while it runs.
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Uploads `file` with the binary and returns its peak resident set (bytes) and how many
/// times it was read. VmHWM is the process's own high-water mark, so the last read before
/// it exits is its peak but for what it took after that read: it is read every 10 ms
/// while the process runs.
fn upload_peak_rss(
    emulator: &Emulator,
    token: &ConnectionToken,
    file: &str,
) -> (Output, u64, usize) {
    let url = emulator.endpoint_url();
    let (mut child, handed) = spawn_env(
        &["--endpoint-url", &url, "upload-attachment", file],
        Token::Env(token.expose_secret()),
        &[],
    );
    let pid = child.id();
    let (mut peak, mut samples) = (0u64, 0usize);
    let started = std::time::Instant::now();
    loop {
        if let Some(rss) = peak_rss(pid) {
            peak = peak.max(rss);
            samples += 1;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the upload did not finish within 60 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = bounded_wait(child);
    assert_unleaked(&out, &handed);
    (out, peak, samples)
}

#[test]
fn uploading_16_mb_keeps_the_cli_far_below_the_files_size() {
    if !std::path::Path::new("/proc/self/status").exists() {
        eprintln!("no /proc: peak memory not measured");
        return;
    }
    const SIZE: usize = 16_000_000;
    const SMALL: usize = 1_000_000;
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("rss");
    // The binary's own footprint (a debug build maps tens of megabytes of code, of which
    // several are resident): the same command with a file 16 times smaller.
    let (small, _) = dir.file("small.mp4", SMALL);
    let (out, baseline, _) = upload_peak_rss(&emulator, &token, &small);
    uploaded_id(&out, "small.mp4", SMALL);
    let (file, bytes) = dir.file("big.mp4", SIZE);
    let (out, peak, samples) = upload_peak_rss(&emulator, &token, &file);
    let id = uploaded_id(&out, "big.mp4", SIZE);
    assert!(emulator.attachment(&id).as_deref() == Some(&bytes[..]));
    eprintln!(
        "upload-attachment peak RSS: {peak} bytes for {SIZE} bytes ({samples} samples), \
         {baseline} bytes for {SMALL} bytes"
    );
    assert!(
        samples > 0,
        "the process ended before its memory could be read"
    );
    // Read whole, the file alone would take the peak past the baseline by 16 MB.
    assert!(
        peak < baseline + (SIZE / 4) as u64 && peak < SIZE as u64,
        "peak RSS {peak} bytes for a {SIZE}-byte file ({baseline} bytes for {SMALL}): the \
         file is not streamed"
    );
}

#[test]
fn a_download_that_cannot_be_written_exits_5_and_leaves_no_file() {
    let emulator = Emulator::start().unwrap();
    let (_, token) = chat(&emulator);
    let dir = TempDir::new("efbig");
    let (file, _) = dir.file("big.wav", 3_000_000);
    let id = uploaded_id(
        &send_with(&emulator, &token, &["upload-attachment", &file]),
        "big.wav",
        3_000_000,
    );
    let target = dir.path("copy.wav");
    std::fs::write(&target, b"kept").unwrap();
    // The binary under a file size limit far below the attachment (SIGXFSZ ignored, so a
    // write past it fails with EFBIG instead of killing the process).
    let url = emulator.endpoint_url();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1024 || exit 99; exec \"$0\" \"$@\"")
        .arg(BIN)
        .args([
            "--endpoint-url",
            &url,
            "get-attachment",
            "--attachment-id",
            &id,
            "--output-file",
            &target,
        ])
        .env_remove("CONNECT_PARTICIPANT_TOKEN")
        .env("CONNECT_CONNECTION_TOKEN", token.expose_secret())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in AWS_VARIABLES.iter().chain(&PROXY_VARIABLES) {
        cmd.env_remove(var);
    }
    let out = bounded_wait(cmd.spawn().unwrap());
    assert_unleaked(&out, &[token.expose_secret().to_owned()]);
    if code(&out) == 99 {
        eprintln!("no ulimit -f here: the write failure is not exercised");
        return;
    }
    assert_eq!(code(&out), 5, "{out:?}");
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.starts_with("error: could not write the downloaded attachment"),
        "{err}"
    );
    assert!(err.contains("\ncaused by: "), "{err}");
    // The target as it was, and no temporary file left.
    assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    assert_eq!(dir.names(), ["big.wav", "copy.wav"]);
}
