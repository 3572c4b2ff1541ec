//! seer-onnx: the ONNX model format as seer reads and writes it — the
//! protobuf messages declared by hand with prost ([`proto`]), a graph
//! builder for the importers ([`builder`]), readers of node attributes
//! ([`attr`]) and constant tensors ([`tensor`]), and the count of
//! multiply-accumulates of a graph for an input size ([`flops`]).

pub mod attr;
pub mod builder;
pub mod flops;
pub mod proto;
pub mod tensor;

pub use builder::{attribute, tensor_f32, tensor_i32, tensor_i64, Attr, Dim, GraphBuilder, OPSET};
pub use flops::{CostModel, FlopsError};
pub use proto::{DataType, ModelProto};

use prost::Message;

/// Serialises a model to protobuf bytes.
pub fn encode(model: &ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}

/// Parses protobuf bytes into a model.
pub fn decode(bytes: &[u8]) -> Result<ModelProto, prost::DecodeError> {
    ModelProto::decode(bytes)
}
