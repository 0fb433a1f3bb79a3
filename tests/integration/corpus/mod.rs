//! The corpus of frames and answers that public sources quote from the live service
//! (`tests/corpus/`, each file's source in `tests/corpus/SOURCES.md`): the crate's readers
//! and stream parse every one into the right typed value, and the emulator's frames and
//! answers have the same members with the same JSON types.

mod answers;
mod frames;
mod shapes;

use std::path::{Path, PathBuf};

use serde_json::Value;

/// `tests/corpus/`.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The files of one folder of the corpus (`frames`, `items`, `answers`), by name (without
/// `.json`), with their text, sorted by name.
pub fn files(folder: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir().join(folder)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let stem = name
            .strip_suffix(".json")
            .unwrap_or_else(|| panic!("{name}"));
        out.push((stem.to_owned(), std::fs::read_to_string(&path).unwrap()));
    }
    out.sort();
    out
}

/// One file of the corpus as JSON.
pub fn json(folder: &str, name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(folder).join(format!("{name}.json")))
        .unwrap_or_else(|e| panic!("{folder}/{name}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_corpus_has_at_least_30_files_and_sources_names_each_one() {
    let sources = std::fs::read_to_string(dir().join("SOURCES.md")).unwrap();
    let mut count = 0;
    for folder in ["frames", "items", "answers"] {
        for (name, text) in files(folder) {
            count += 1;
            let path = format!("`{folder}/{name}.json`");
            assert!(sources.contains(&path), "SOURCES.md does not name {path}");
            let value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(value.is_object(), "{path} is not a JSON object");
        }
    }
    assert!(count >= 30, "only {count} files");
    // And SOURCES.md names no file that is not there.
    for part in sources.split('`').skip(1).step_by(2) {
        // `answers/<operation>-<source>.json` is the pattern, not a file.
        let ours = ["frames/", "items/", "answers/"]
            .iter()
            .any(|f| part.starts_with(f));
        if ours && part.ends_with(".json") && !part.contains('<') {
            assert!(
                dir().join(part).is_file(),
                "SOURCES.md names {part}, which is missing"
            );
        }
    }
}
