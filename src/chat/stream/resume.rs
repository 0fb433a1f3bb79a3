//! Opening a stream from a checkpoint: the transcript read back to where the checkpoint
//! is, and what it has not had yielded, oldest first.

use super::{ChatStream, LOG_TARGET};
use crate::chat::checkpoint::Checkpoint;
use crate::error::Result;
use crate::ops::transcript::{GetTranscriptRequest, Item, ScanDirection, SortOrder};

/// How many transcript pages of 100 items a resume reads back, at most: a checkpoint
/// more than 10,000 items old resumes from the newest 10,000.
pub(super) const MAX_RESUME_PAGES: usize = 100;

impl ChatStream {
    /// Reads the transcript back, newest first, to the end of the page that goes past the
    /// checkpoint's `since` (to the chat's start for a new checkpoint); every item read is
    /// known to the stream from now, and those the checkpoint has not had are accepted,
    /// oldest first, to be yielded after the connection's first event.
    pub(super) fn resume(&mut self, at: &Checkpoint) -> Result<()> {
        let first = GetTranscriptRequest::new()
            .with_max_results(100)
            .with_scan_direction(ScanDirection::Backward)
            .with_sort_order(SortOrder::Descending);
        let mut missed: Vec<Item> = Vec::new();
        let mut pages = 0;
        for page in self
            .participant
            .transcript_pages(first)
            .take(MAX_RESUME_PAGES)
        {
            let page = page?;
            pages += 1;
            let mut past_since = false;
            for item in page.transcript {
                past_since |= match (&item.absolute_time, at.since()) {
                    (Some(t), Some(since)) => t < since,
                    _ => false,
                };
                if at.has(&item) {
                    self.delivery.mark_seen(&item);
                } else {
                    missed.push(item);
                }
            }
            if past_since {
                break;
            }
        }
        log::debug!(
            target: LOG_TARGET,
            "resume read {pages} transcript pages; {} items after the checkpoint",
            missed.len()
        );
        for item in missed.into_iter().rev() {
            self.accept(item);
        }
        Ok(())
    }
}
