//! THREAD=REFERENCES (RFC 5256 §2.2 and §3, after J. Zawinski's algorithm):
//! containers linked by Message-ID and References (step 1), the root set
//! (2), placeholder pruning (3), roots by sent date (4), roots merged by base
//! subject (5) and siblings by sent date (6). Links never form a loop, and a
//! duplicate Message-ID counts as none.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::{ThreadMessage, ThreadNode};

/// How deep a thread tree may nest; deeper replies (only a crafted chain
/// reaches this) become children of the node at this depth.
pub(super) const MAX_THREAD_DEPTH: usize = 256;

/// A container of step 1: a message (an index into the messages) or a
/// placeholder for an id only referenced.
#[derive(Debug, Default)]
struct Container {
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

#[derive(Debug, Default)]
struct Containers {
    all: Vec<Container>,
    by_id: HashMap<String, usize>,
}

impl Containers {
    fn new_container(&mut self) -> usize {
        self.all.push(Container::default());
        self.all.len() - 1
    }

    fn of_id(&mut self, id: &str) -> usize {
        if let Some(&found) = self.by_id.get(id) {
            return found;
        }
        let created = self.new_container();
        self.by_id.insert(id.to_owned(), created);
        created
    }

    /// Whether `ancestor` is `node` or above it.
    fn is_ancestor(&self, ancestor: usize, node: usize) -> bool {
        let mut at = Some(node);
        while let Some(current) = at {
            if current == ancestor {
                return true;
            }
            at = self.all[current].parent;
        }
        false
    }

    /// Makes `child` a child of `parent` unless that would close a loop.
    fn link(&mut self, parent: usize, child: usize) {
        if self.is_ancestor(child, parent) {
            return;
        }
        self.all[child].parent = Some(parent);
        self.all[parent].children.push(child);
    }

    fn unlink(&mut self, child: usize) {
        if let Some(parent) = self.all[child].parent.take() {
            self.all[parent].children.retain(|&other| other != child);
        }
    }

    /// Step 1 for one message.
    fn add(&mut self, index: usize, message: &ThreadMessage) {
        // 1A: a Message-ID already carried by a message counts as none.
        let own = match &message.message_id {
            Some(id)
                if self
                    .by_id
                    .get(id)
                    .is_none_or(|&c| self.all[c].message.is_none()) =>
            {
                self.of_id(id)
            }
            _ => self.new_container(),
        };
        self.all[own].message = Some(index);
        // 1B: each reference is the parent of the next, unless already linked.
        let chain: Vec<usize> = message.references.iter().map(|id| self.of_id(id)).collect();
        for pair in chain.windows(2) {
            if self.all[pair[1]].parent.is_none() {
                self.link(pair[0], pair[1]);
            }
        }
        // 1C: the last reference is the parent; the message itself is more
        // definitive than what others' references implied.
        self.unlink(own);
        if let Some(&parent) = chain.last() {
            self.link(parent, own);
        }
    }

    /// The owned tree under `container`, at most [`MAX_THREAD_DEPTH`] deep:
    /// everything below that depth hangs flat from the deepest node, so the
    /// recursive steps that follow stay within a small stack.
    fn tree(&self, container: usize, depth: usize) -> Node {
        let entry = &self.all[container];
        let children = if depth + 1 >= MAX_THREAD_DEPTH {
            self.descendants(container)
        } else {
            entry
                .children
                .iter()
                .map(|&child| self.tree(child, depth + 1))
                .collect()
        };
        Node {
            message: entry.message,
            children,
        }
    }

    /// Every container below `container` as a childless node, pre-order.
    fn descendants(&self, container: usize) -> Vec<Node> {
        let mut found = Vec::new();
        let mut pending: Vec<usize> = self.all[container].children.iter().rev().copied().collect();
        while let Some(next) = pending.pop() {
            found.push(Node {
                message: self.all[next].message,
                children: Vec::new(),
            });
            pending.extend(self.all[next].children.iter().rev());
        }
        found
    }
}

/// A container in the owned tree of steps 3 to 6.
#[derive(Debug)]
struct Node {
    message: Option<usize>,
    children: Vec<Node>,
}

impl Node {
    /// The message that stands for this node: its own, or a placeholder's
    /// first child's.
    fn representative(&self) -> Option<usize> {
        self.message
            .or_else(|| self.children.first().and_then(Node::representative))
    }

    fn into_thread(self, messages: &[ThreadMessage]) -> ThreadNode {
        ThreadNode {
            uid: self.message.map(|index| messages[index].uid),
            children: self
                .children
                .into_iter()
                .map(|child| child.into_thread(messages))
                .collect(),
        }
    }
}

/// RFC 5256 §2.2 steps 1 to 6.
pub(super) fn thread(messages: &[ThreadMessage]) -> Vec<ThreadNode> {
    let mut containers = Containers::default();
    for (index, message) in messages.iter().enumerate() {
        containers.add(index, message);
    }
    let roots: Vec<Node> = (0..containers.all.len())
        .filter(|&container| containers.all[container].parent.is_none())
        .map(|container| containers.tree(container, 0))
        .collect();
    let mut roots = prune(roots, true);
    roots
        .iter_mut()
        .for_each(|root| sort_siblings(&mut root.children, messages));
    sort_siblings(&mut roots, messages);
    let mut roots = merge_by_subject(roots, messages);
    roots
        .iter_mut()
        .for_each(|root| sort_siblings(&mut root.children, messages));
    roots
        .into_iter()
        .map(|root| root.into_thread(messages))
        .collect()
}

/// Step 3: placeholders without children go; the others give their children
/// to their parent, except at the root level where only a single child is
/// promoted.
fn prune(nodes: Vec<Node>, root_level: bool) -> Vec<Node> {
    let mut kept = Vec::with_capacity(nodes.len());
    for mut node in nodes {
        node.children = prune(std::mem::take(&mut node.children), false);
        let promote = node.message.is_none() && (!root_level || node.children.len() <= 1);
        if promote {
            kept.extend(node.children);
        } else {
            kept.push(node);
        }
    }
    kept
}

/// Steps 4 and 6: by sent date (a placeholder by its first child's), ties by
/// UID, recursively.
fn sort_siblings(nodes: &mut [Node], messages: &[ThreadMessage]) {
    for node in nodes.iter_mut() {
        sort_siblings(&mut node.children, messages);
    }
    nodes.sort_by(
        |left, right| match (left.representative(), right.representative()) {
            (Some(left), Some(right)) => messages[left].order(&messages[right]),
            _ => Ordering::Equal,
        },
    );
}

/// Step 5: roots whose base subjects are equal become one thread.
fn merge_by_subject(roots: Vec<Node>, messages: &[ThreadMessage]) -> Vec<Node> {
    let subject_of = |node: &Node| -> Option<String> {
        let key = &messages[node.representative()?].subject_key;
        (!key.is_empty()).then(|| key.clone())
    };
    let is_reply = |node: &Node| {
        node.message
            .is_some_and(|index| messages[index].subject.is_reply_or_forward)
    };
    // 5C: a placeholder wins the table; then a non-reply over a reply.
    let mut table: HashMap<String, usize> = HashMap::new();
    for (index, root) in roots.iter().enumerate() {
        let Some(subject) = subject_of(root) else {
            continue;
        };
        let held = table.entry(subject).or_insert(index);
        let current = &roots[*held];
        let replace = current.message.is_some()
            && (root.message.is_none() || (is_reply(current) && !is_reply(root)));
        if replace {
            *held = index;
        }
    }
    let subjects: Vec<Option<String>> = roots.iter().map(subject_of).collect();
    let mut slots: Vec<Option<Node>> = roots.into_iter().map(Some).collect();
    for (index, subject) in subjects.into_iter().enumerate() {
        let Some(&target) = subject.as_ref().and_then(|subject| table.get(subject)) else {
            continue;
        };
        if target == index {
            continue;
        }
        let (Some(this), Some(held)) = (slots[index].take(), slots[target].take()) else {
            continue;
        };
        slots[target] = Some(merge(held, this, &is_reply));
    }
    slots.into_iter().flatten().collect()
}

/// 5D: `this` joins the thread `held` keeps in the table.
fn merge(mut held: Node, mut this: Node, is_reply: &dyn Fn(&Node) -> bool) -> Node {
    match (held.message.is_some(), this.message.is_some()) {
        (false, false) => {
            held.children.append(&mut this.children);
            held
        }
        (false, true) => {
            held.children.push(this);
            held
        }
        (true, false) => {
            this.children.push(held);
            this
        }
        (true, true) if !is_reply(&held) && is_reply(&this) => {
            held.children.push(this);
            held
        }
        (true, true) => Node {
            message: None,
            children: vec![held, this],
        },
    }
}
