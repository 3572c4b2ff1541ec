//! ONNX model representation (hand-declared protobuf types) and a graph builder.

pub mod builder;
pub mod proto;

pub use builder::{tensor_f32, tensor_i32, tensor_i64, Attr, Dim, GraphBuilder, OPSET};
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
