//! A pickle reader restricted to what `torch.save` writes for a state dict.
//!
//! Why not a crate: `serde-pickle` maps pickles onto serde values and has no
//! notion of persistent ids (`BINPERSID`) or of `REDUCE` on arbitrary classes,
//! which is exactly how torch encodes tensors. This reader never imports or
//! calls anything: `GLOBAL` becomes a name, `REDUCE` and `BUILD` become
//! inert values the checkpoint reader interprets.

/// A value on the pickle stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Python `None`.
    None,
    /// A boolean.
    Bool(bool),
    /// An integer that fits 64 bits.
    Int(i64),
    /// A float.
    Float(f64),
    /// A text string.
    Str(String),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A list.
    List(Vec<Value>),
    /// A dict as ordered key/value pairs.
    Dict(Vec<(Value, Value)>),
    /// A global reference `module.name` (never imported).
    Global { module: String, name: String },
    /// `callable(*args)`, not evaluated.
    Call {
        callable: Box<Value>,
        args: Box<Value>,
    },
    /// `obj.__setstate__(state)`, not evaluated.
    Build { obj: Box<Value>, state: Box<Value> },
    /// A persistent id (torch: a storage reference tuple).
    Persistent(Box<Value>),
}

/// Why a pickle could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PickleError {
    /// The stream ended inside an opcode.
    #[error("pickle ends early at byte {0}")]
    Eof(usize),
    /// An opcode torch state dicts do not use.
    #[error("unsupported pickle opcode 0x{op:02x} at byte {at}")]
    Opcode { op: u8, at: usize },
    /// The stack does not hold what an opcode needs.
    #[error("malformed pickle at byte {at}: {what}")]
    Malformed { at: usize, what: String },
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PickleError> {
        let end = self.pos.checked_add(n).ok_or(PickleError::Eof(self.pos))?;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or(PickleError::Eof(self.pos))?;
        self.pos = end;
        Ok(bytes)
    }
    fn u8(&mut self) -> Result<u8, PickleError> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, PickleError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, PickleError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn line(&mut self) -> Result<String, PickleError> {
        let rest = self
            .data
            .get(self.pos..)
            .ok_or(PickleError::Eof(self.pos))?;
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or(PickleError::Eof(self.pos))?;
        let text = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(text)
    }
    fn utf8(&mut self, n: usize, at: usize) -> Result<String, PickleError> {
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| malformed(at, "string is not UTF-8"))
    }
}

fn malformed(at: usize, what: &str) -> PickleError {
    PickleError::Malformed {
        at,
        what: what.to_string(),
    }
}

/// The machine state: a stack of values with marks, and the memo.
struct Machine {
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: std::collections::HashMap<u32, Value>,
}

impl Machine {
    fn pop(&mut self, at: usize) -> Result<Value, PickleError> {
        self.stack
            .pop()
            .ok_or_else(|| malformed(at, "stack is empty"))
    }
    fn pop_mark(&mut self, at: usize) -> Result<Vec<Value>, PickleError> {
        let mark = self.marks.pop().ok_or_else(|| malformed(at, "no mark"))?;
        if mark > self.stack.len() {
            return Err(malformed(at, "mark above the stack"));
        }
        Ok(self.stack.split_off(mark))
    }
    fn top(&mut self, at: usize) -> Result<&mut Value, PickleError> {
        self.stack
            .last_mut()
            .ok_or_else(|| malformed(at, "stack is empty"))
    }
    fn get(&self, key: u32, at: usize) -> Result<Value, PickleError> {
        self.memo
            .get(&key)
            .cloned()
            .ok_or_else(|| malformed(at, &format!("memo key {key} never stored")))
    }
    fn put(&mut self, key: u32, at: usize) -> Result<(), PickleError> {
        let v = self
            .stack
            .last()
            .cloned()
            .ok_or_else(|| malformed(at, "stack is empty"))?;
        self.memo.insert(key, v);
        Ok(())
    }
    fn set_items(&mut self, items: Vec<Value>, at: usize) -> Result<(), PickleError> {
        if !items.len().is_multiple_of(2) {
            return Err(malformed(at, "odd number of dict items"));
        }
        let target = self.top(at)?;
        let pairs = items.chunks(2).map(|kv| (kv[0].clone(), kv[1].clone()));
        match target {
            Value::Dict(d) => d.extend(pairs),
            // An OrderedDict is `Call` until BUILD; torch fills it with SETITEMS.
            Value::Call { args, .. } => {
                let mut d = Vec::new();
                if let Value::Dict(existing) = args.as_ref() {
                    d.extend(existing.iter().cloned());
                }
                d.extend(pairs);
                let callable = match target {
                    Value::Call { callable, .. } => callable.clone(),
                    _ => return Err(malformed(at, "setitems target")),
                };
                *target = Value::Call {
                    callable,
                    args: Box::new(Value::Dict(d)),
                };
            }
            _ => return Err(malformed(at, "setitems on a non-dict")),
        }
        Ok(())
    }
}

/// Reads one pickle (protocol 2–5, the opcodes torch uses) into a value tree.
///
/// A dict built as `OrderedDict()` followed by `SETITEMS` comes back as
/// `Call { callable: Global(collections.OrderedDict), args: Dict(items) }`.
pub fn read(data: &[u8]) -> Result<Value, PickleError> {
    let mut r = Reader { data, pos: 0 };
    let mut m = Machine {
        stack: Vec::new(),
        marks: Vec::new(),
        memo: std::collections::HashMap::new(),
    };
    loop {
        let at = r.pos;
        let op = r.u8()?;
        match op {
            0x80 => {
                r.u8()?;
            } // PROTO
            0x95 => {
                r.take(8)?;
            } // FRAME
            b'.' => return m.pop(at), // STOP
            b'(' => m.marks.push(m.stack.len()),
            b'N' => m.stack.push(Value::None),
            0x88 => m.stack.push(Value::Bool(true)),
            0x89 => m.stack.push(Value::Bool(false)),
            b'K' => {
                let v = r.u8()?;
                m.stack.push(Value::Int(i64::from(v)))
            }
            b'M' => {
                let v = r.u16()?;
                m.stack.push(Value::Int(i64::from(v)))
            }
            b'J' => {
                let v = r.u32()? as i32;
                m.stack.push(Value::Int(i64::from(v)))
            }
            0x8a => {
                // LONG1: little-endian two's complement, up to 8 bytes here.
                let n = usize::from(r.u8()?);
                if n > 8 {
                    return Err(malformed(at, "integer wider than 64 bits"));
                }
                let b = r.take(n)?;
                let mut buf = if b.last().is_some_and(|&x| x & 0x80 != 0) {
                    [0xffu8; 8]
                } else {
                    [0u8; 8]
                };
                buf[..n].copy_from_slice(b);
                m.stack.push(Value::Int(i64::from_le_bytes(buf)))
            }
            b'G' => {
                let b = r.take(8)?;
                let mut buf = [0u8; 8];
                buf.copy_from_slice(b);
                m.stack.push(Value::Float(f64::from_be_bytes(buf)))
            }
            b'X' => {
                let n = r.u32()? as usize;
                let s = r.utf8(n, at)?;
                m.stack.push(Value::Str(s))
            }
            0x8c => {
                let n = usize::from(r.u8()?);
                let s = r.utf8(n, at)?;
                m.stack.push(Value::Str(s))
            }
            b'C' => {
                let n = usize::from(r.u8()?);
                let b = r.take(n)?.to_vec();
                m.stack.push(Value::Bytes(b))
            }
            b'B' => {
                let n = r.u32()? as usize;
                let b = r.take(n)?.to_vec();
                m.stack.push(Value::Bytes(b))
            }
            b')' => m.stack.push(Value::Tuple(Vec::new())),
            b't' => {
                let items = m.pop_mark(at)?;
                m.stack.push(Value::Tuple(items))
            }
            0x85..=0x87 => {
                let n = usize::from(op - 0x84);
                if m.stack.len() < n {
                    return Err(malformed(at, "tuple needs more items"));
                }
                let items = m.stack.split_off(m.stack.len() - n);
                m.stack.push(Value::Tuple(items))
            }
            b']' => m.stack.push(Value::List(Vec::new())),
            b'}' => m.stack.push(Value::Dict(Vec::new())),
            b'a' => {
                let v = m.pop(at)?;
                match m.top(at)? {
                    Value::List(l) => l.push(v),
                    _ => return Err(malformed(at, "append on a non-list")),
                }
            }
            b'e' => {
                let items = m.pop_mark(at)?;
                match m.top(at)? {
                    Value::List(l) => l.extend(items),
                    _ => return Err(malformed(at, "appends on a non-list")),
                }
            }
            b's' => {
                let v = m.pop(at)?;
                let k = m.pop(at)?;
                m.set_items(vec![k, v], at)?
            }
            b'u' => {
                let items = m.pop_mark(at)?;
                m.set_items(items, at)?
            }
            b'c' => {
                let module = r.line()?;
                let name = r.line()?;
                m.stack.push(Value::Global { module, name })
            }
            0x93 => {
                // STACK_GLOBAL
                let name = m.pop(at)?;
                let module = m.pop(at)?;
                match (module, name) {
                    (Value::Str(module), Value::Str(name)) => {
                        m.stack.push(Value::Global { module, name })
                    }
                    _ => return Err(malformed(at, "stack_global needs two strings")),
                }
            }
            b'R' => {
                let args = m.pop(at)?;
                let callable = m.pop(at)?;
                m.stack.push(Value::Call {
                    callable: Box::new(callable),
                    args: Box::new(args),
                })
            }
            0x81 => {
                // NEWOBJ: cls.__new__(cls, *args), treated like a call.
                let args = m.pop(at)?;
                let callable = m.pop(at)?;
                m.stack.push(Value::Call {
                    callable: Box::new(callable),
                    args: Box::new(args),
                })
            }
            b'b' => {
                let state = m.pop(at)?;
                let obj = m.pop(at)?;
                // An OrderedDict's BUILD state is empty: keep the dict itself.
                let built = match (&obj, &state) {
                    (Value::Call { .. }, Value::Dict(d)) if d.is_empty() => obj,
                    _ => Value::Build {
                        obj: Box::new(obj),
                        state: Box::new(state),
                    },
                };
                m.stack.push(built)
            }
            b'Q' => {
                let pid = m.pop(at)?;
                m.stack.push(Value::Persistent(Box::new(pid)))
            }
            b'q' => {
                let k = u32::from(r.u8()?);
                m.put(k, at)?
            }
            b'r' => {
                let k = r.u32()?;
                m.put(k, at)?
            }
            0x94 => {
                let k = m.memo.len() as u32;
                m.put(k, at)?
            }
            b'h' => {
                let k = u32::from(r.u8()?);
                let v = m.get(k, at)?;
                m.stack.push(v)
            }
            b'j' => {
                let k = r.u32()?;
                let v = m.get(k, at)?;
                m.stack.push(v)
            }
            b'0' => {
                m.pop(at)?;
            }
            _ => return Err(PickleError::Opcode { op, at }),
        }
    }
}
