//! The id index of a load: id -> node, for every reference of the file.
//!
//! A million-service file has millions of references, each looked up once.
//! A map keyed by `&str` reads the key's bytes from wherever they lie in
//! the 200 MB text to confirm a match: a second cache miss, after the
//! bucket's, on every lookup (a third of a large load's time went there).
//! Here an id of up to [`INLINE`] bytes (nearly all of them) sits in its
//! slot, so a lookup touches one cache line; longer ids are kept aside and
//! compared there.

use crate::topology::NodeId;
use std::hash::BuildHasher;

/// Ids up to this many bytes are kept in their slot.
const INLINE: usize = 26;
const EMPTY: u32 = u32::MAX;
/// `len` of a slot whose id is kept aside, in `long[key's first 4 bytes]`.
const LONG: u8 = u8::MAX;

#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    node: u32,
    len: u8,
    /// A byte of the hash, to skip most comparisons of long ids.
    tag: u8,
    key: [u8; INLINE],
}

const FREE: Slot = Slot {
    node: EMPTY,
    len: 0,
    tag: 0,
    key: [0; INLINE],
};

/// `size` free slots. A large table asks for huge pages: its lookups land
/// anywhere in it, and with 4 KiB pages each one missed the TLB too.
fn slots(size: usize) -> Vec<Slot> {
    let mut v = Vec::with_capacity(size);
    // Advised before the first touch, so that the pages come huge.
    #[cfg(target_os = "linux")]
    if size * std::mem::size_of::<Slot>() >= 4 << 20 {
        // `madvise` wants a page-aligned start, and the allocator's block
        // starts just past its header: the range is taken from the page
        // the block starts in (the allocator's own mapping; advice changes
        // no contents). Unaligned, the call failed and no page came huge.
        // SAFETY: sysconf only reads a system setting.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })
            .unwrap_or(4096)
            .max(1);
        let start = v.as_ptr() as usize;
        let aligned = start - start % page;
        let len = size * std::mem::size_of::<Slot>() + (start - aligned);
        // SAFETY: the range lies in the mapping that holds the vector's
        // allocation; MADV_HUGEPAGE only advises the kernel.
        unsafe {
            libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
        }
    }
    v.resize(size, FREE);
    v
}

/// An open-addressing table (linear probing, at most three quarters full:
/// a million ids take 64 MB).
pub(super) struct IdTable<'t> {
    slots: Vec<Slot>,
    long: Vec<&'t str>,
    len: usize,
}

fn hash(id: &str) -> u64 {
    super::IdBuild::default().hash_one(id)
}

impl<'t> IdTable<'t> {
    pub fn with_capacity(n: usize) -> Self {
        let size = (n.max(3) * 4 / 3 + 1).next_power_of_two();
        IdTable {
            slots: slots(size),
            long: Vec::new(),
            len: 0,
        }
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    fn matches(&self, s: &Slot, id: &str, padded: &[u8; INLINE], tag: u8) -> bool {
        if usize::from(s.len) == id.len() && id.len() <= INLINE {
            // Keys are zero-padded: one fixed-size comparison, no call.
            s.key == *padded
        } else if s.len == LONG && id.len() > INLINE && s.tag == tag {
            let at = u32::from_le_bytes(s.key[..4].try_into().expect("4 bytes"));
            self.long[at as usize] == id
        } else {
            false
        }
    }

    /// The slot holding `id`, or the free slot where it would go.
    fn find(&self, id: &str) -> (usize, u8) {
        let h = hash(id);
        let tag = (h >> 56) as u8;
        let mut padded = [0u8; INLINE];
        if id.len() <= INLINE {
            padded[..id.len()].copy_from_slice(id.as_bytes());
        }
        let mut i = h as usize & self.mask();
        loop {
            let s = &self.slots[i];
            if s.node == EMPTY || self.matches(s, id, &padded, tag) {
                return (i, tag);
            }
            i = (i + 1) & self.mask();
        }
    }

    /// Hints that `id` is about to be looked up or inserted: its slot is
    /// fetched into the cache while other work goes on. A lookup lands
    /// anywhere in a table of tens of megabytes, and waiting for each in
    /// turn was most of the time of indexing a million ids.
    pub fn prefetch(&self, id: &str) {
        let i = hash(id) as usize & self.mask();
        prefetch(self.slots.as_ptr().wrapping_add(i).cast());
    }

    pub fn get(&self, id: &str) -> Option<NodeId> {
        let (i, _) = self.find(id);
        let n = self.slots[i].node;
        (n != EMPTY).then_some(NodeId(n))
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// Maps `id` to `node` (replacing what it mapped to).
    pub fn insert(&mut self, id: &'t str, node: NodeId) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let (i, tag) = self.find(id);
        if self.slots[i].node == EMPTY {
            self.len += 1;
        }
        let mut s = Slot {
            node: node.0,
            len: 0,
            tag,
            key: [0; INLINE],
        };
        if id.len() <= INLINE {
            s.len = id.len() as u8;
            s.key[..id.len()].copy_from_slice(id.as_bytes());
        } else {
            s.len = LONG;
            let at = match self.slots[i].node {
                EMPTY => {
                    self.long.push(id);
                    (self.long.len() - 1) as u32
                }
                _ => u32::from_le_bytes(self.slots[i].key[..4].try_into().expect("4 bytes")),
            };
            s.key[..4].copy_from_slice(&at.to_le_bytes());
        }
        self.slots[i] = s;
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, slots(size));
        for s in old.into_iter().filter(|s| s.node != EMPTY) {
            let id = self.key_of(&s).to_owned();
            let (i, _) = self.find(&id);
            self.slots[i] = s;
        }
    }

    fn key_of<'a>(&'a self, s: &'a Slot) -> &'a str {
        if s.len == LONG {
            let at = u32::from_le_bytes(s.key[..4].try_into().expect("4 bytes"));
            self.long[at as usize]
        } else {
            std::str::from_utf8(&s.key[..usize::from(s.len)]).expect("an id is text")
        }
    }

    /// Every id (in no order).
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.slots
            .iter()
            .filter(|s| s.node != EMPTY)
            .map(|s| self.key_of(s))
    }
}

/// Asks the processor to bring the cache line at `p` in; only a hint,
/// whatever `p` is (nothing is read through it).
pub(super) fn prefetch(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads no memory the program sees and cannot fault,
    // whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_map_on_short_long_and_unicode_ids() {
        let mut ids: Vec<String> = (0..5000).map(|i| format!("svc-{i}")).collect();
        ids.push(String::new());
        ids.push("x".repeat(INLINE));
        ids.push("x".repeat(INLINE + 1));
        ids.push("é".repeat(20));
        for i in 0..300 {
            ids.push(format!("a-very-long-service-identifier-number-{i:06}"));
        }
        // Starts small: growing keeps every id.
        let mut t = IdTable::with_capacity(1);
        let mut m = HashMap::new();
        for (n, id) in ids.iter().enumerate() {
            t.insert(id, NodeId(n as u32));
            m.insert(id.as_str(), NodeId(n as u32));
        }
        // Replacing keeps one entry.
        t.insert(&ids[7], NodeId(99_999));
        m.insert(&ids[7], NodeId(99_999));
        t.insert(&ids[5003], NodeId(88_888));
        m.insert(&ids[5003], NodeId(88_888));
        for id in &ids {
            assert_eq!(t.get(id), m.get(id.as_str()).copied(), "{id}");
        }
        for miss in [
            "svc-5000",
            "svc-",
            "x",
            "a-very-long-service-identifier-number-000300",
            "é",
        ] {
            assert_eq!(t.get(miss), None, "{miss}");
            assert!(!t.contains_key(miss));
        }
        let mut keys: Vec<&str> = t.keys().collect();
        keys.sort_unstable();
        let mut want: Vec<&str> = m.keys().copied().collect();
        want.sort_unstable();
        assert_eq!(keys, want);
    }
}
