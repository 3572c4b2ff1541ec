//! Reading a node's attributes by name; `None` when the node lacks it.

use crate::proto::{AttributeProto, NodeProto};

/// The attribute `name` of `node`.
pub fn get<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// An integer attribute.
pub fn int(node: &NodeProto, name: &str) -> Option<i64> {
    get(node, name).map(|a| a.i)
}

/// A list-of-integers attribute.
pub fn ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    get(node, name).map(|a| a.ints.clone())
}

/// A float attribute.
pub fn float(node: &NodeProto, name: &str) -> Option<f32> {
    get(node, name).map(|a| a.f)
}

/// A string attribute (`None` also when it is not UTF-8).
pub fn string<'a>(node: &'a NodeProto, name: &str) -> Option<&'a str> {
    get(node, name).and_then(|a| std::str::from_utf8(&a.s).ok())
}
