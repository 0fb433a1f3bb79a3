//! A region that no partition's pattern matches, and that is one or two keystrokes from a
//! region AWS has, named in the error of the request that failed to resolve: the request is
//! still made (a new region is not refused), and only its failure carries the hint.

use super::{PARTITIONS, matches_pattern};

/// AWS's regions, every partition's (April 2026): only to guess what a typo meant. A region
/// missing here is still reached; only the hint for its typos is missing.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// The most keystrokes (an insertion, a deletion, a substitution, or two neighbours
/// swapped) between a typo and the region it is taken for.
const MAX_EDITS: usize = 2;

/// The region in a service endpoint URL
/// (`https://participant.connect[-fips].<region>.<suffix>`), if it is one.
fn region_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    let after = host
        .strip_prefix("participant.connect.")
        .or_else(|| host.strip_prefix("participant.connect-fips."))?;
    after.split('.').next().filter(|r| !r.is_empty())
}

/// The hint for the endpoint `url` whose host did not resolve: `us-west2 is not a region
/// name AWS uses (they read like us-east-1); the region meant may be us-west-2`, when its region
/// matches no partition's pattern and one known region, and only one, is nearest to it
/// within [`MAX_EDITS`].
pub(crate) fn region_hint(url: &str) -> Option<String> {
    let region = region_of(url)?;
    let lower = region.to_ascii_lowercase();
    let known_form = PARTITIONS
        .iter()
        .any(|(_, p)| p.prefixes.iter().any(|pre| matches_pattern(&lower, pre)));
    if known_form {
        return None;
    }
    let lower: Vec<char> = digits_read_as_digits(&lower).chars().collect();
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for known in KNOWN_REGIONS {
        let known_chars: Vec<char> = known.chars().collect();
        let Some(d) = crate::edits::distance(&lower, &known_chars, MAX_EDITS) else {
            continue;
        };
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, known));
                tied = false;
            }
        }
    }
    match best {
        Some((_, known)) if !tied => Some(format!(
            "{region} is not a region name AWS uses (they read like us-east-1); the region \
             meant may be {known}"
        )),
        _ => None,
    }
}

/// `region` with a last part of digits and their look-alikes (`l`, `i`, `o`) read as
/// digits: `us-east-l` is `us-east-1`, which `us-east-2` is as near to otherwise.
fn digits_read_as_digits(region: &str) -> String {
    let Some((head, last)) = region.rsplit_once('-') else {
        return region.to_owned();
    };
    let lookalike = |b: u8| b.is_ascii_digit() || matches!(b, b'l' | b'i' | b'o');
    if last.is_empty() || !last.bytes().all(lookalike) {
        return region.to_owned();
    }
    let digits: String = last
        .chars()
        .map(|c| match c {
            'l' | 'i' => '1',
            'o' => '0',
            c => c,
        })
        .collect();
    format!("{head}-{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(region: &str) -> String {
        format!("https://participant.connect.{region}.amazonaws.com")
    }

    #[test]
    fn a_typo_of_a_region_names_the_region() {
        for (typo, meant) in [
            ("us-west2", "us-west-2"),
            ("useast-1", "us-east-1"),
            ("us-east-l", "us-east-1"),
            ("eu-wset-1", "eu-west-1"),
            ("US-WEST2", "us-west-2"),
            ("apsoutheast-2", "ap-southeast-2"),
        ] {
            let hint = region_hint(&url(typo));
            let eu_wset = typo == "eu-wset-1";
            if eu_wset {
                // Of the pattern (a new region could read so): never hinted.
                assert_eq!(hint, None);
                continue;
            }
            assert_eq!(
                hint.as_deref(),
                Some(
                    format!(
                        "{typo} is not a region name AWS uses (they read like us-east-1); \
                         the region meant may be {meant}"
                    )
                    .as_str()
                ),
                "{typo}"
            );
        }
    }

    #[test]
    fn new_regions_far_names_ties_and_other_hosts_get_no_hint() {
        for region in ["xx-future-1", "us-east-1", "localtest", "us-gov-west-1"] {
            assert_eq!(region_hint(&url(region)), None, "{region}");
        }
        // Two edits from both us-east-1 and us-west-1: a tie is no guess.
        assert_eq!(region_hint(&url("us-wast-1x")), None);
        assert_eq!(region_hint("http://127.0.0.1:8080"), None);
        assert_eq!(
            region_hint("https://example.com/participant.connect.us-west2"),
            None
        );
        assert!(
            region_hint("https://participant.connect-fips.us-west2.amazonaws.com")
                .is_some_and(|h| h.ends_with("the region meant may be us-west-2"))
        );
    }
}
