//! A first-in first-out queue over a `Vec`: smaller in firmware than `VecDeque`'s ring
//! arithmetic. Pops advance a read index instead of shifting, so draining n entries costs n
//! steps however long the queue grew; once empty it rewinds and keeps its capacity.

use alloc::vec::Vec;

pub(crate) struct Queue<T> {
    items: Vec<T>,
    /// The next entry to pop; everything before it was popped.
    head: usize,
}

impl<T: Copy + PartialEq> Queue<T> {
    /// An empty queue, or None when room for `capacity` entries cannot be reserved.
    pub(crate) fn with_capacity(capacity: usize) -> Option<Self> {
        let mut items = Vec::new();
        items.try_reserve_exact(capacity).ok()?;
        Some(Queue { items, head: 0 })
    }

    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let item = self.items.get(self.head).copied()?;
        self.head += 1;
        if self.head == self.items.len() {
            self.clear();
        }
        Some(item)
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
        self.head = 0;
    }

    pub(crate) fn contains(&self, item: &T) -> bool {
        self.items
            .get(self.head..)
            .is_some_and(|live| live.contains(item))
    }
}

#[cfg(test)]
mod tests {
    use super::Queue;

    #[test]
    fn first_in_first_out_across_growth_and_rewinds() {
        let mut q = Queue::<u16>::with_capacity(2).unwrap();
        assert_eq!(q.pop_front(), None);
        for round in 0..3u16 {
            for i in 0..100 {
                q.push(round * 100 + i);
            }
            assert!(q.contains(&(round * 100 + 99)));
            for i in 0..50 {
                assert_eq!(q.pop_front(), Some(round * 100 + i));
            }
            assert!(!q.contains(&(round * 100)), "popped entries are gone");
            q.push(1000 + round);
            for i in 50..100 {
                assert_eq!(q.pop_front(), Some(round * 100 + i));
            }
            assert_eq!(q.pop_front(), Some(1000 + round));
            assert_eq!(q.pop_front(), None);
            assert!(!q.contains(&(1000 + round)));
        }
        q.push(7);
        q.clear();
        assert_eq!(q.pop_front(), None);
    }
}
