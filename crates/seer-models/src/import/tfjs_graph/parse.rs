//! Reading the graph-model JSON: nodes, their inputs and their protobuf-JSON
//! attributes, and the optional signature.

use crate::import::tfjs_weights::ManifestGroup;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The parts of `model.json` the importer reads.
#[derive(Deserialize)]
pub(crate) struct ModelJson {
    /// "graph-model" for this importer.
    #[serde(default)]
    pub format: Option<String>,
    /// The GraphDef.
    #[serde(rename = "modelTopology")]
    pub model_topology: Topology,
    /// Weight groups and shard files.
    #[serde(rename = "weightsManifest", default)]
    pub weights_manifest: Vec<ManifestGroup>,
    /// Named inputs/outputs of the serving signature (optional).
    #[serde(default)]
    pub signature: Option<Value>,
}

/// `modelTopology`: the GraphDef as JSON.
#[derive(Deserialize)]
pub(crate) struct Topology {
    /// Every node of the graph (in no guaranteed order).
    #[serde(default)]
    pub node: Vec<RawNode>,
}

/// One GraphDef node as stored.
#[derive(Deserialize)]
pub(crate) struct RawNode {
    pub name: String,
    pub op: String,
    #[serde(default)]
    pub input: Vec<String>,
    #[serde(default)]
    pub attr: Map<String, Value>,
}

/// A reference to one output of a node ("name" = output 0, "name:1" = output 1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TensorRef {
    pub node: String,
    pub index: usize,
}

impl TensorRef {
    /// Parses "name" or "name:k"; `None` for a control dependency ("^name").
    pub fn parse(text: &str) -> Option<TensorRef> {
        if text.starts_with('^') {
            return None;
        }
        if let Some((node, index)) = text.rsplit_once(':') {
            if let Ok(index) = index.parse::<usize>() {
                return Some(TensorRef {
                    node: node.to_string(),
                    index,
                });
            }
        }
        Some(TensorRef {
            node: text.to_string(),
            index: 0,
        })
    }

    /// The ONNX-side name of this tensor: the node name, plus ":k" for k > 0.
    pub fn display_name(&self) -> String {
        if self.index == 0 {
            self.node.clone()
        } else {
            format!("{}:{}", self.node, self.index)
        }
    }
}

/// A node with parsed data inputs (control dependencies dropped).
pub(crate) struct Node {
    pub name: String,
    pub op: String,
    pub inputs: Vec<TensorRef>,
    pub attrs: Map<String, Value>,
}

impl Node {
    /// Converts a stored node.
    pub fn from_raw(raw: RawNode) -> Node {
        Node {
            inputs: raw
                .input
                .iter()
                .filter_map(|s| TensorRef::parse(s))
                .collect(),
            name: raw.name,
            op: raw.op,
            attrs: raw.attr,
        }
    }

    fn field(&self, key: &str, field: &str) -> Option<Option<&Value>> {
        self.attrs.get(key).map(|a| a.get(field))
    }

    /// Integer attribute (`{"i": "3"}`); proto3 omits zero, so a present
    /// attribute without a value reads as 0.
    pub fn attr_i64(&self, key: &str) -> Option<i64> {
        self.field(key, "i")
            .map(|v| v.and_then(json_i64).unwrap_or(0))
    }

    /// Float attribute (`{"f": 0.5}`), 0.0 when present but empty.
    pub fn attr_f32(&self, key: &str) -> Option<f32> {
        self.field(key, "f")
            .map(|v| v.and_then(json_f32).unwrap_or(0.0))
    }

    /// Boolean attribute (`{"b": true}`), false when present but empty.
    pub fn attr_bool(&self, key: &str) -> Option<bool> {
        self.field(key, "b")
            .map(|v| v.and_then(Value::as_bool).unwrap_or(false))
    }

    /// String attribute (`{"s": base64}`), decoded as UTF-8 (lossy).
    pub fn attr_str(&self, key: &str) -> Option<String> {
        self.field(key, "s").map(|v| {
            v.and_then(Value::as_str)
                .and_then(decode_base64)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        })
    }

    /// Integer list attribute (`{"list": {"i": [...]}}`).
    pub fn attr_ints(&self, key: &str) -> Option<Vec<i64>> {
        let list = self.attrs.get(key)?.get("list")?;
        Some(
            list.get("i")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(json_i64).collect())
                .unwrap_or_default(),
        )
    }

    /// String list attribute (`{"list": {"s": [base64...]}}`).
    pub fn attr_strs(&self, key: &str) -> Option<Vec<String>> {
        let list = self.attrs.get(key)?.get("list")?;
        Some(
            list.get("s")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter_map(decode_base64)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// Type attribute (`{"type": "DT_FLOAT"}`).
    pub fn attr_type(&self, key: &str) -> Option<String> {
        self.field(key, "type").map(|v| {
            v.and_then(Value::as_str)
                .unwrap_or("DT_INVALID")
                .to_string()
        })
    }

    /// Shape attribute (`{"shape": {"dim": [{"size": "-1"}]}}`); `None` when
    /// absent or of unknown rank.
    pub fn attr_shape(&self, key: &str) -> Option<Vec<i64>> {
        let shape = self.attrs.get(key)?.get("shape")?;
        parse_shape(shape)
    }
}

/// Parses a TensorShapeProto in JSON form; `None` for unknown rank.
pub(crate) fn parse_shape(shape: &Value) -> Option<Vec<i64>> {
    if shape.get("unknownRank").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let dims = match shape.get("dim") {
        Some(d) => d.as_array()?,
        None => return Some(Vec::new()),
    };
    Some(
        dims.iter()
            .map(|d| d.get("size").and_then(json_i64).unwrap_or(0))
            .collect(),
    )
}

/// A signature entry: its key, the tensor it names and the declared shape.
#[derive(Clone, Debug)]
pub(crate) struct SignatureEntry {
    pub key: String,
    pub tensor: TensorRef,
    pub shape: Option<Vec<i64>>,
}

/// Inputs and outputs listed by the signature (empty when absent).
pub(crate) fn signature_entries(signature: Option<&Value>, side: &str) -> Vec<SignatureEntry> {
    let Some(map) = signature
        .and_then(|s| s.get(side))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(key, entry)| {
            let name = entry.get("name").and_then(Value::as_str).unwrap_or(key);
            let tensor = TensorRef::parse(name)?;
            let shape = entry.get("tensorShape").and_then(parse_shape);
            Some(SignatureEntry {
                key: key.clone(),
                tensor,
                shape,
            })
        })
        .collect()
}

/// Reads a protobuf-JSON int64 (a string or a number).
pub(crate) fn json_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// Reads a protobuf-JSON float (a number or "NaN"/"Infinity"/"-Infinity").
pub(crate) fn json_f32(v: &Value) -> Option<f32> {
    match v {
        Value::Number(n) => n.as_f64().map(|f| f as f32),
        Value::String(s) => match s.as_str() {
            "NaN" => Some(f32::NAN),
            "Infinity" => Some(f32::INFINITY),
            "-Infinity" => Some(f32::NEG_INFINITY),
            other => other.trim().parse().ok(),
        },
        _ => None,
    }
}

/// Decodes standard base64 (with or without padding); `None` if invalid.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let symbols: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(symbols.len() * 3 / 4);
    for chunk in symbols.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(decode_base64("Qmlhc0FkZA==").unwrap(), b"BiasAdd");
        assert_eq!(decode_base64("UmVsdQ").unwrap(), b"Relu");
        assert_eq!(decode_base64("U0FNRQ==").unwrap(), b"SAME");
        assert!(decode_base64("@@").is_none());
    }

    #[test]
    fn tensor_refs_parse_output_index_and_skip_control_inputs() {
        assert_eq!(
            TensorRef::parse("a/b:1"),
            Some(TensorRef {
                node: "a/b".into(),
                index: 1
            })
        );
        assert_eq!(TensorRef::parse("a/b").unwrap().index, 0);
        assert!(TensorRef::parse("^a").is_none());
    }

    #[test]
    fn attributes_read_protobuf_json_forms() {
        let raw: RawNode = serde_json::from_str(
            r#"{"name":"n","op":"X","attr":{
                "i":{"i":"3"},"zero":{},"f":{"f":0.5},"b":{"b":true},
                "s":{"s":"U0FNRQ=="},"l":{"list":{"i":["1","2"]}},"e":{"list":{}},
                "t":{"type":"DT_INT32"},
                "shape":{"shape":{"dim":[{"size":"-1"},{"size":"4"}]}}}}"#,
        )
        .unwrap();
        let n = Node::from_raw(raw);
        assert_eq!(n.attr_i64("i"), Some(3));
        assert_eq!(n.attr_i64("zero"), Some(0));
        assert_eq!(n.attr_i64("missing"), None);
        assert_eq!(n.attr_f32("f"), Some(0.5));
        assert_eq!(n.attr_bool("b"), Some(true));
        assert_eq!(n.attr_str("s").as_deref(), Some("SAME"));
        assert_eq!(n.attr_ints("l"), Some(vec![1, 2]));
        assert_eq!(n.attr_ints("e"), Some(vec![]));
        assert_eq!(n.attr_type("t").as_deref(), Some("DT_INT32"));
        assert_eq!(n.attr_shape("shape"), Some(vec![-1, 4]));
    }
}
