//! A small helper for writing ONNX graphs: unique value names, constants,
//! nodes with attributes, typed inputs and outputs.

use crate::proto::{
    AttributeProto, AttributeType, DataType, DimValue, Dimension, GraphProto, ModelProto,
    NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, TensorShapeProto,
    TensorTypeProto, TypeProto, ValueInfoProto,
};
use std::collections::HashSet;

/// The ONNX opset every importer targets.
pub const OPSET: i64 = 17;
/// The ONNX IR version written.
pub const IR_VERSION: i64 = 8;

/// One dimension of a declared input/output shape.
#[derive(Clone, Debug, PartialEq)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A symbolic size chosen at run time (e.g. "batch", "height").
    Named(String),
}

impl Dim {
    /// A symbolic dimension.
    pub fn named(name: &str) -> Dim {
        Dim::Named(name.to_string())
    }
}

/// A node attribute value.
#[derive(Clone, Debug)]
pub enum Attr {
    /// A single integer.
    Int(i64),
    /// A list of integers.
    Ints(Vec<i64>),
    /// A single float.
    Float(f32),
    /// A list of floats.
    Floats(Vec<f32>),
    /// A string.
    Str(String),
    /// A tensor (used by `Constant`).
    Tensor(TensorProto),
}

/// Builds one ONNX graph; `finish` turns it into a model.
#[derive(Default)]
pub struct GraphBuilder {
    name: String,
    nodes: Vec<NodeProto>,
    initializers: Vec<TensorProto>,
    inputs: Vec<ValueInfoProto>,
    outputs: Vec<ValueInfoProto>,
    used_names: HashSet<String>,
    metadata: Vec<StringStringEntryProto>,
}

impl GraphBuilder {
    /// An empty graph called `name`.
    pub fn new(name: &str) -> Self {
        GraphBuilder {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// Returns `hint` if unused, else `hint_2`, `hint_3`… and reserves it.
    pub fn unique_name(&mut self, hint: &str) -> String {
        let base = if hint.is_empty() { "v" } else { hint };
        let mut candidate = base.to_string();
        let mut n = 1;
        while self.used_names.contains(&candidate) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        self.used_names.insert(candidate.clone());
        candidate
    }

    /// Declares a graph input; returns its value name (exactly `name`).
    pub fn input(&mut self, name: &str, elem: DataType, dims: &[Dim]) -> String {
        self.used_names.insert(name.to_string());
        self.inputs.push(value_info(name, elem, Some(dims)));
        name.to_string()
    }

    /// Declares `value` as a graph output under the name `name` (an Identity is
    /// inserted when the names differ). Shape may be unknown (`None`).
    pub fn output(&mut self, value: &str, name: &str, elem: DataType, dims: Option<&[Dim]>) {
        if value != name {
            self.used_names.insert(name.to_string());
            self.nodes.push(NodeProto {
                input: vec![value.to_string()],
                output: vec![name.to_string()],
                name: format!("{name}_out"),
                op_type: "Identity".to_string(),
                ..Default::default()
            });
        }
        self.outputs.push(value_info(name, elem, dims));
    }

    /// Adds a float32 initializer; returns its value name.
    pub fn const_f32(&mut self, hint: &str, dims: &[i64], data: &[f32]) -> String {
        debug_assert_eq!(dims.iter().product::<i64>() as usize, data.len());
        let name = self.unique_name(hint);
        self.initializers.push(tensor_f32(&name, dims, data));
        name
    }

    /// Adds an int64 initializer; returns its value name.
    pub fn const_i64(&mut self, hint: &str, dims: &[i64], data: &[i64]) -> String {
        debug_assert_eq!(dims.iter().product::<i64>() as usize, data.len());
        let name = self.unique_name(hint);
        self.initializers.push(tensor_i64(&name, dims, data));
        name
    }

    /// Adds an already-built initializer (its name is made unique); returns its value name.
    pub fn const_tensor(&mut self, hint: &str, mut tensor: TensorProto) -> String {
        tensor.name = self.unique_name(hint);
        let name = tensor.name.clone();
        self.initializers.push(tensor);
        name
    }

    /// Adds a node with one output; returns the output's value name.
    pub fn node(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[(&str, Attr)],
        hint: &str,
    ) -> String {
        self.node_n(op, inputs, attrs, hint, 1).remove(0)
    }

    /// Adds a node with `n_outputs` outputs; returns their value names.
    pub fn node_n(
        &mut self,
        op: &str,
        inputs: &[&str],
        attrs: &[(&str, Attr)],
        hint: &str,
        n_outputs: usize,
    ) -> Vec<String> {
        let hint = if hint.is_empty() { op } else { hint };
        let outputs: Vec<String> = (0..n_outputs)
            .map(|i| {
                if n_outputs == 1 {
                    self.unique_name(hint)
                } else {
                    self.unique_name(&format!("{hint}:{i}"))
                }
            })
            .collect();
        let node_name = self.unique_name(&format!("{hint}/{op}"));
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.clone(),
            name: node_name,
            op_type: op.to_string(),
            attribute: attrs.iter().map(|(n, a)| attribute(n, a.clone())).collect(),
            ..Default::default()
        });
        outputs
    }

    /// Records a metadata key/value pair in the finished model.
    pub fn metadata(&mut self, key: &str, value: &str) {
        self.metadata.push(StringStringEntryProto {
            key: key.to_string(),
            value: value.to_string(),
        });
    }

    /// Number of nodes added so far.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Wraps the graph into a model (IR 8, opset 17) produced by seer.
    pub fn finish(self) -> ModelProto {
        ModelProto {
            ir_version: IR_VERSION,
            producer_name: "seer".to_string(),
            producer_version: env!("CARGO_PKG_VERSION").to_string(),
            graph: Some(GraphProto {
                node: self.nodes,
                name: self.name,
                initializer: self.initializers,
                input: self.inputs,
                output: self.outputs,
                ..Default::default()
            }),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: OPSET,
            }],
            metadata_props: self.metadata,
            ..Default::default()
        }
    }
}

/// A float32 tensor stored as little-endian raw bytes.
pub fn tensor_f32(name: &str, dims: &[i64], data: &[f32]) -> TensorProto {
    TensorProto {
        name: name.to_string(),
        dims: dims.to_vec(),
        data_type: DataType::Float as i32,
        raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

/// An int64 tensor stored as little-endian raw bytes.
pub fn tensor_i64(name: &str, dims: &[i64], data: &[i64]) -> TensorProto {
    TensorProto {
        name: name.to_string(),
        dims: dims.to_vec(),
        data_type: DataType::Int64 as i32,
        raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

/// An int32 tensor stored as little-endian raw bytes.
pub fn tensor_i32(name: &str, dims: &[i64], data: &[i32]) -> TensorProto {
    TensorProto {
        name: name.to_string(),
        dims: dims.to_vec(),
        data_type: DataType::Int32 as i32,
        raw_data: data.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ..Default::default()
    }
}

fn value_info(name: &str, elem: DataType, dims: Option<&[Dim]>) -> ValueInfoProto {
    let shape = dims.map(|dims| TensorShapeProto {
        dim: dims
            .iter()
            .map(|d| Dimension {
                value: Some(match d {
                    Dim::Fixed(v) => DimValue::DimValue(*v),
                    Dim::Named(s) => DimValue::DimParam(s.clone()),
                }),
                denotation: String::new(),
            })
            .collect(),
    });
    ValueInfoProto {
        name: name.to_string(),
        r#type: Some(TypeProto {
            tensor_type: Some(TensorTypeProto {
                elem_type: elem as i32,
                shape,
            }),
            denotation: String::new(),
        }),
        doc_string: String::new(),
    }
}

/// An ONNX attribute named `name` holding `value`.
pub fn attribute(name: &str, value: Attr) -> AttributeProto {
    let mut a = AttributeProto {
        name: name.to_string(),
        ..Default::default()
    };
    let kind = match value {
        Attr::Int(v) => {
            a.i = v;
            AttributeType::Int
        }
        Attr::Ints(v) => {
            a.ints = v;
            AttributeType::Ints
        }
        Attr::Float(v) => {
            a.f = v;
            AttributeType::Float
        }
        Attr::Floats(v) => {
            a.floats = v;
            AttributeType::Floats
        }
        Attr::Str(v) => {
            a.s = v.into_bytes();
            AttributeType::String
        }
        Attr::Tensor(t) => {
            a.t = Some(t);
            AttributeType::Tensor
        }
    };
    a.r#type = kind as i32;
    a
}
