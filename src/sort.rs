//! One small stable sort for the crate's short lists (children of an `all`,
//! palette matches). The standard library's sort is instantiated once per
//! element type and took 17 KB of the WebAssembly module; this is a few
//! dozen bytes per use, and needs no buffer.

/// Sorts `items` by `key`, keeping the order of equal keys (an insertion
/// sort: quadratic, meant for lists of tens of items).
pub(crate) fn sort_by_key_stable<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(before), Some(here)) = (items.get(j.wrapping_sub(1)), items.get(j)) {
            if key(before) <= key(here) {
                break;
            }
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}
