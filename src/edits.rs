//! How far one name is from another, for "did you mean": the region a typo meant, the
//! command or option a user mistyped. Pure, no IO.

/// The optimal string alignment distance between `a` and `b` (insertions, deletions,
/// substitutions, and a swapped pair of neighbours as one edit; no substring edited
/// twice), if at most `bound`. The length difference is a lower bound of it, so a long
/// argument (a pasted token, say) costs nothing; otherwise O(len(a) x len(b)) on names of a
/// few dozen characters.
pub fn distance(a: &[char], b: &[char], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    // Three rows: the one before the previous (for swaps), the previous, this.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut row: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(row[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            row[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut row);
    }
    let d = previous[b.len()];
    (d <= bound).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distance(&a, &b, 10)
    }

    #[test]
    fn edits_count_and_a_swapped_pair_is_one() {
        assert_eq!(d("us-west2", "us-west-2"), Some(1));
        assert_eq!(d("us-wset-2", "us-west-2"), Some(1));
        assert_eq!(d("", "abc"), Some(3));
        assert_eq!(d("abc", ""), Some(3));
        assert_eq!(d("same", "same"), Some(0));
        assert_eq!(d("send-mesage", "send-message"), Some(1));
        assert_eq!(d("ca", "abc"), Some(3), "no substring edited twice");
    }

    #[test]
    fn past_the_bound_is_none_and_a_long_argument_is_cut_short() {
        let long: Vec<char> = "x".repeat(100_000).chars().collect();
        assert_eq!(distance(&long, &['a'], 3), None);
        assert_eq!(distance(&['a', 'b', 'c'], &['x', 'y', 'z'], 2), None);
    }
}
