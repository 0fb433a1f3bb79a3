//! Reading a transcript a page at a time: from a start, in a direction, over the items a
//! filter keeps (all of them, or those of one past contact of a persistent chat).

use std::time::SystemTime;

use super::{Chat, Item};

/// Where a transcript scan starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::emulator) enum Start {
    /// The newest item (the default, in both directions).
    Newest,
    /// The item with this `Id`.
    Id(String),
    /// The first item at or after this time (forward), the last at or before (backward).
    Time(SystemTime),
    /// The `n`-th newest item (1 is the newest); the oldest if there are fewer.
    MostRecent(usize),
    /// The item with this sequence number, or the nearest kept one in the direction of the
    /// scan (from a NextToken).
    Seq(u64),
}

/// The direction of a transcript scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::emulator) enum Direction {
    Forward,
    Backward,
}

/// A page of a transcript: its items in scan order, and where the next page starts.
#[derive(Debug)]
pub(in crate::emulator) struct Page<'a> {
    pub(in crate::emulator) items: Vec<&'a Item>,
    pub(in crate::emulator) next: Option<String>,
}

impl Chat {
    /// Up to `max` items from `start` in `direction`; `Err(())` if `start` names an `Id`
    /// the transcript does not hold.
    #[cfg(test)]
    pub(in crate::emulator) fn scan(
        &self,
        start: &Start,
        direction: Direction,
        max: usize,
    ) -> Result<Page<'_>, ()> {
        self.scan_where(start, direction, max, |_| true)
    }

    /// Up to `max` items from `start` in `direction`, over the items `keep` keeps only, as
    /// if the transcript held no other: `Err(())` if `start` names an `Id` it does not
    /// hold (or keep); a NextToken resumes at the next kept item.
    pub(in crate::emulator) fn scan_where(
        &self,
        start: &Start,
        direction: Direction,
        max: usize,
        keep: impl Fn(&Item) -> bool,
    ) -> Result<Page<'_>, ()> {
        // The indexes (into `items`) of the items kept, in order.
        let view: Vec<usize> = (0..self.items.len())
            .filter(|&i| keep(&self.items[i]))
            .collect();
        let forward = direction == Direction::Forward;
        let first = self.first_in_view(&view, start, forward)?;
        let mut items = Vec::new();
        let mut at = first;
        while let Some(p) = at {
            if items.len() >= max {
                break;
            }
            let Some(item) = view.get(p).and_then(|&i| self.items.get(i)) else {
                at = None;
                break;
            };
            items.push(item);
            at = if forward {
                Some(p + 1).filter(|&n| n < view.len())
            } else {
                p.checked_sub(1)
            };
        }
        let next = at
            .and_then(|p| view.get(p))
            .and_then(|&i| self.items.get(i))
            .map(|item| self.next_token(direction, item.seq));
        Ok(Page { items, next })
    }

    /// Where in `view` a scan from `start` begins, if anywhere.
    fn first_in_view(
        &self,
        view: &[usize],
        start: &Start,
        forward: bool,
    ) -> Result<Option<usize>, ()> {
        let len = view.len();
        Ok(match start {
            Start::Newest => len.checked_sub(1),
            Start::Id(id) => {
                let seq = *self.by_id.get(id).ok_or(())?;
                let i = self.index_of_seq(seq).ok_or(())?;
                Some(view.binary_search(&i).map_err(|_| ())?)
            }
            Start::Time(t) => {
                if forward {
                    view.iter().position(|&i| self.items[i].time >= *t)
                } else {
                    view.iter().rposition(|&i| self.items[i].time <= *t)
                }
            }
            Start::MostRecent(n) => (len > 0).then(|| len.saturating_sub(*n)),
            Start::Seq(seq) => {
                let first_seq = self.first_seq();
                if *seq < first_seq {
                    // Forgotten meanwhile: carry on from the oldest kept, or stop.
                    (forward && len > 0).then_some(0)
                } else if *seq >= self.next_seq {
                    (!forward).then(|| len.checked_sub(1)).flatten()
                } else {
                    // The item itself, or the nearest kept one in the scan's direction.
                    let i = usize::try_from(*seq - first_seq).map_err(|_| ())?;
                    if forward {
                        Some(view.partition_point(|&v| v < i)).filter(|&p| p < len)
                    } else {
                        view.partition_point(|&v| v <= i).checked_sub(1)
                    }
                }
            }
        })
    }
}
