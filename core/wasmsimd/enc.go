package wasmsimd

// A minimal WebAssembly binary encoder for Module: one imported memory,
// functions with i32 parameters and no results, exported by name. Opcodes and layout
// follow the WebAssembly Core Specification 2.0 (binary format, chapter 5;
// SIMD instructions are prefixed by 0xFD with a LEB128 sub-opcode).

// Value types.
const (
	i32Type  = 0x7f
	i64Type  = 0x7e
	f32Type  = 0x7d
	f64Type  = 0x7c
	v128Type = 0x7b
)

// Opcodes used by the kernels.
const (
	opBlock      = 0x02
	opLoop       = 0x03
	opIf         = 0x04
	opElse       = 0x05
	opEnd        = 0x0b
	opBrIf       = 0x0d
	opLocalGet   = 0x20
	opLocalSet   = 0x21
	opI32Load    = 0x28
	opI64Load    = 0x29
	opF32Load    = 0x2a
	opF64Load    = 0x2b
	opI32Store   = 0x36
	opF32Store   = 0x38
	opF64Store   = 0x39
	opI32Const   = 0x41
	opI64Const   = 0x42
	opF32Const   = 0x43
	opI32Eqz     = 0x45
	opI32LtS     = 0x48
	opI32LtU     = 0x49
	opI32LeS     = 0x4c
	opI64Ne      = 0x52
	opF32Ne      = 0x5c
	opI32Add     = 0x6a
	opI32Mul     = 0x6c
	opI32And     = 0x71
	opI32Shl     = 0x74
	opI64Sub     = 0x7d
	opI64And     = 0x83
	opI64Or      = 0x84
	opI64Xor     = 0x85
	opI64Shl     = 0x86
	opI64ShrU    = 0x88
	opF32Add     = 0x92
	opF32Mul     = 0x94
	opF64Add     = 0xa0
	opI32WrapI64 = 0xa7
	opI64ExtendU = 0xad // i64.extend_i32_u
	opSIMD       = 0xfd

	simdV128Load   = 0x00
	simdV128Store  = 0x0b
	simdV128Const  = 0x0c
	simdF32x4Splat = 0x13
	simdF32x4Gt    = 0x44
	simdV128And    = 0x4e
	simdF32x4Add   = 0xe4
	simdF32x4Mul   = 0xe6
	simdF32x4Pmax  = 0xeb

	blockVoid = 0x40 // block type of a block without results
)

// wasmCode is a function body under construction. The methods append one
// instruction each and return the receiver, so that a stack expression
// reads left to right.
type wasmCode struct{ b []byte }

func (c *wasmCode) op(o byte) *wasmCode { c.b = append(c.b, o); return c }
func (c *wasmCode) get(local uint32) *wasmCode {
	c.b = appendU32(append(c.b, opLocalGet), local)
	return c
}
func (c *wasmCode) set(local uint32) *wasmCode {
	c.b = appendU32(append(c.b, opLocalSet), local)
	return c
}
func (c *wasmCode) i32c(v int32) *wasmCode {
	c.b = appendS64(append(c.b, opI32Const), int64(v))
	return c
}
func (c *wasmCode) i64c(v int64) *wasmCode { c.b = appendS64(append(c.b, opI64Const), v); return c }

// f32c pushes a float32 constant (only 0 is needed: four zero bytes).
func (c *wasmCode) f32c(zero float32) *wasmCode {
	if zero != 0 {
		panic("wasmsimd: f32c encodes only 0")
	}
	c.b = append(c.b, opF32Const, 0, 0, 0, 0)
	return c
}

// mem is a load or store with alignment hint 2^align and a constant offset.
func (c *wasmCode) mem(o byte, align, offset uint32) *wasmCode {
	c.b = appendU32(appendU32(append(c.b, o), align), offset)
	return c
}

func (c *wasmCode) simd(sub uint32) *wasmCode {
	c.b = appendU32(append(c.b, opSIMD), sub)
	return c
}

func (c *wasmCode) simdMem(sub, align, offset uint32) *wasmCode {
	c.simd(sub)
	c.b = appendU32(appendU32(c.b, align), offset)
	return c
}

// v128zero pushes the all-zero vector.
func (c *wasmCode) v128zero() *wasmCode {
	c.simd(simdV128Const)
	c.b = append(c.b, make([]byte, 16)...)
	return c
}

// while emits `while cond() { body() }` as a block holding a loop: cond
// pushes an i32, nonzero to go on. body must leave the stack as it found it.
func (c *wasmCode) while(cond, body func()) {
	c.b = append(c.b, opBlock, blockVoid)
	cond()
	c.b = append(c.b, opI32Eqz, opBrIf, 0) // exit the block
	c.b = append(c.b, opLoop, blockVoid)
	body()
	cond()
	c.b = append(c.b, opBrIf, 0, opEnd, opEnd) // repeat the loop
}

// ifThen pops an i32 and runs then if it is nonzero.
func (c *wasmCode) ifThen(then func()) {
	c.b = append(c.b, opIf, blockVoid)
	then()
	c.b = append(c.b, opEnd)
}

// ifElse pops an i32 and runs then if it is nonzero, else otherwise.
func (c *wasmCode) ifElse(then, otherwise func()) { c.ifElseValue(blockVoid, then, otherwise) }

// ifElseValue is ifElse for branches that each push one value of type t.
func (c *wasmCode) ifElseValue(t byte, then, otherwise func()) {
	c.b = append(c.b, opIf, t)
	then()
	c.b = append(c.b, opElse)
	otherwise()
	c.b = append(c.b, opEnd)
}

// wasmFunc is an exported function with nParams i32 parameters (locals
// 0..nParams-1), further locals declared by local, and no results.
type wasmFunc struct {
	name    string
	nParams uint32
	types   []byte // of the locals after the parameters, in index order
	wasmCode
}

func newFunc(name string, nParams uint32) *wasmFunc { return &wasmFunc{name: name, nParams: nParams} }

// local declares a local of type t and returns its index.
func (f *wasmFunc) local(t byte) uint32 {
	f.types = append(f.types, t)
	return f.nParams + uint32(len(f.types)) - 1
}

// wasmModule is a module of exported functions over an imported memory.
type wasmModule struct{ funcs []*wasmFunc }

// encode returns the binary module importing its memory as module.field.
func (m *wasmModule) encode(module, field string) []byte {
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	section := func(id byte, body []byte) {
		out = appendU32(append(out, id), uint32(len(body)))
		out = append(out, body...)
	}
	vec := func(n int) []byte { return appendU32(nil, uint32(n)) }
	name := func(b []byte, s string) []byte { return append(appendU32(b, uint32(len(s))), s...) }

	// Type section: one type per function (they differ only in arity).
	types := vec(len(m.funcs))
	for _, f := range m.funcs {
		types = appendU32(append(types, 0x60), f.nParams)
		for range f.nParams {
			types = append(types, i32Type)
		}
		types = append(types, 0) // no results
	}
	section(1, types)

	// Import section: the memory, limits {min 0, no max}.
	imports := name(name(vec(1), module), field)
	imports = append(imports, 0x02, 0x00, 0x00)
	section(2, imports)

	funcs := vec(len(m.funcs))
	for i := range m.funcs {
		funcs = appendU32(funcs, uint32(i))
	}
	section(3, funcs)

	exports := vec(len(m.funcs))
	for i, f := range m.funcs {
		exports = appendU32(append(name(exports, f.name), 0x00), uint32(i))
	}
	section(7, exports)

	code := vec(len(m.funcs))
	for _, f := range m.funcs {
		// Local declarations: runs of one type, as (count, type).
		type run struct {
			n uint32
			t byte
		}
		var runs []run
		for i, t := range f.types {
			if i == 0 || t != f.types[i-1] {
				runs = append(runs, run{0, t})
			}
			runs[len(runs)-1].n++
		}
		body := vec(len(runs))
		for _, r := range runs {
			body = append(appendU32(body, r.n), r.t)
		}
		body = append(append(body, f.b...), opEnd)
		code = append(appendU32(code, uint32(len(body))), body...)
	}
	section(10, code)
	return out
}

// appendU32 appends v in unsigned LEB128.
func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendS64 appends v in signed LEB128 (i32 and i64 constants).
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
