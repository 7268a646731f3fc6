package data

import (
	"encoding/binary"
	"errors"
	"io"
)

// This file reads the few facts marginlab needs from an Arrow IPC file's
// metadata without decoding any record batch: each batch's row count (so the
// loader can allocate its columns once, at their final size) and the body
// compression codec (for inspect). arrow-go keeps its flatbuffer bindings
// internal, so the handful of fields are read here directly, with every
// offset bounds-checked: a corrupt file gives an error, not a panic.
//
// Layout (Arrow columnar format, "IPC File Format"): the file ends with a
// Footer flatbuffer, its int32 length and the magic "ARROW1". Footer field 3
// is a vector of Block structs {offset int64, metaDataLength int32, pad,
// bodyLength int64}. Each block's message starts with the continuation marker
// 0xFFFFFFFF and an int32 length (or, before format 0.15, just the length),
// then a Message flatbuffer whose field 2 is a RecordBatch table: field 0 is
// its length in rows, field 3 its BodyCompression (field 0: codec).

var errBadFlatbuffer = errors.New("malformed IPC metadata")

// ipcFileMeta is what ipcFileLayout reads from an IPC file.
type ipcFileMeta struct {
	batchRows []int64 // rows per record batch, in file order
	codec     string  // "lz4_frame", "zstd" or "uncompressed" (of the first batch)
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// fbTable is a flatbuffer table: the whole buffer and the table's position.
type fbTable struct {
	buf []byte
	pos int
}

func (t fbTable) u32(at int) (uint32, bool) {
	if at < 0 || at+4 > len(t.buf) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(t.buf[at:]), true
}

// field returns the absolute position of field i, or 0 when it is absent.
func (t fbTable) field(i int) (int, bool) {
	soff, ok := t.u32(t.pos)
	if !ok {
		return 0, false
	}
	vt := t.pos - int(int32(soff))
	if vt < 0 || vt+4 > len(t.buf) {
		return 0, false
	}
	vtSize := int(binary.LittleEndian.Uint16(t.buf[vt:]))
	slot := 4 + 2*i
	if slot+2 > vtSize {
		return 0, true // field not present in this (older) table
	}
	if vt+slot+2 > len(t.buf) {
		return 0, false
	}
	off := int(binary.LittleEndian.Uint16(t.buf[vt+slot:]))
	if off == 0 {
		return 0, true
	}
	return t.pos + off, true
}

// indirect follows the uoffset stored at position at.
func (t fbTable) indirect(at int) (int, bool) {
	off, ok := t.u32(at)
	if !ok {
		return 0, false
	}
	p := at + int(off)
	if p < 0 || p > len(t.buf) {
		return 0, false
	}
	return p, true
}

// int64Field reads scalar field i as int64 (absent means def).
func (t fbTable) int64Field(i int, def int64) (int64, bool) {
	p, ok := t.field(i)
	if !ok {
		return 0, false
	}
	if p == 0 {
		return def, true
	}
	if p+8 > len(t.buf) {
		return 0, false
	}
	return int64(binary.LittleEndian.Uint64(t.buf[p:])), true
}

// byteField reads scalar field i as a byte (absent means def).
func (t fbTable) byteField(i int, def byte) (byte, bool) {
	p, ok := t.field(i)
	if !ok || p >= len(t.buf) {
		return 0, false
	}
	if p == 0 {
		return def, true
	}
	return t.buf[p], true
}

// tableField returns sub-table field i; present is false when it is absent.
func (t fbTable) tableField(i int) (sub fbTable, present, ok bool) {
	p, ok := t.field(i)
	if !ok {
		return fbTable{}, false, false
	}
	if p == 0 {
		return fbTable{}, false, true
	}
	q, ok := t.indirect(p)
	if !ok {
		return fbTable{}, false, false
	}
	return fbTable{buf: t.buf, pos: q}, true, true
}

func fbRoot(buf []byte) (fbTable, bool) {
	if len(buf) < 4 {
		return fbTable{}, false
	}
	t := fbTable{buf: buf}
	p, ok := t.indirect(0)
	if !ok {
		return fbTable{}, false
	}
	t.pos = p
	return t, true
}

const ipcMagic = "ARROW1"

// ipcFileLayout reads the footer and every record batch's message header.
func ipcFileLayout(r io.ReaderAt, size int64) (ipcFileMeta, error) {
	var meta ipcFileMeta
	tail := int64(len(ipcMagic) + 4)
	if size < int64(2*len(ipcMagic))+tail {
		return meta, errBadFlatbuffer
	}
	end := make([]byte, tail)
	if _, err := r.ReadAt(end, size-tail); err != nil {
		return meta, err
	}
	if string(end[4:]) != ipcMagic {
		return meta, errors.New("no Arrow IPC footer magic at the end of the file")
	}
	flen := int64(binary.LittleEndian.Uint32(end))
	if flen <= 0 || flen > size-tail-8 {
		return meta, errBadFlatbuffer
	}
	footer := make([]byte, flen)
	if _, err := r.ReadAt(footer, size-tail-flen); err != nil {
		return meta, err
	}
	root, ok := fbRoot(footer)
	if !ok {
		return meta, errBadFlatbuffer
	}
	schema, present, ok := root.tableField(1)
	if !ok || !present || !checkSchema(schema) {
		return meta, errBadFlatbuffer
	}
	// Dictionary blocks are decoded by arrow-go too: check them first.
	dicts, err := footerBlocks(root, 2, size)
	if err != nil {
		return meta, err
	}
	for _, b := range dicts {
		if err := checkBlockMessage(r, b, msgDictionary); err != nil {
			return meta, err
		}
	}
	batches, err := footerBlocks(root, 3, size)
	if err != nil {
		return meta, err
	}
	meta.codec = "uncompressed"
	meta.batchRows = make([]int64, len(batches))
	for i, b := range batches {
		m, err := blockMessage(r, b)
		if err != nil {
			return meta, err
		}
		if m.headerType != msgRecordBatch {
			return meta, errBadFlatbuffer
		}
		meta.batchRows[i] = m.rows
		if i == 0 {
			meta.codec = m.codec
		}
	}
	return meta, nil
}

// ipcBlock is a Block struct of the footer.
type ipcBlock struct{ offset, metaLen, bodyLen int64 }

// footerBlocks reads vector field i of the footer as blocks lying inside
// the file.
func footerBlocks(root fbTable, i int, size int64) ([]ipcBlock, error) {
	const blockSize = 24
	start, n, ok := root.vector(i, blockSize)
	if !ok {
		return nil, errBadFlatbuffer
	}
	out := make([]ipcBlock, n)
	for k := range n {
		b := root.buf[start+k*blockSize:]
		blk := ipcBlock{
			offset:  int64(le64(b)),
			metaLen: int64(int32(binary.LittleEndian.Uint32(b[8:]))),
			bodyLen: int64(le64(b[16:])),
		}
		if blk.offset < 0 || blk.metaLen < 8 || blk.metaLen > 1<<26 || blk.bodyLen < 0 ||
			blk.offset > size || blk.metaLen > size-blk.offset || blk.bodyLen > size-blk.offset-blk.metaLen {
			return nil, errBadFlatbuffer
		}
		out[k] = blk
	}
	return out, nil
}

// blockMessage reads and checks the message of one footer block.
func blockMessage(r io.ReaderAt, b ipcBlock) (ipcMessage, error) {
	buf := make([]byte, b.metaLen)
	if _, err := r.ReadAt(buf, b.offset); err != nil {
		return ipcMessage{}, err
	}
	start := 4
	if binary.LittleEndian.Uint32(buf) == 0xFFFFFFFF {
		start = 8
	}
	m, err := parseMessage(buf[start:])
	if err != nil {
		return m, err
	}
	if m.bodyLen > b.bodyLen {
		return m, errBadFlatbuffer
	}
	return m, nil
}

func checkBlockMessage(r io.ReaderAt, b ipcBlock, want byte) error {
	m, err := blockMessage(r, b)
	if err != nil {
		return err
	}
	if m.headerType != want {
		return errBadFlatbuffer
	}
	return nil
}

// MessageHeader union tags of the Arrow format.
const (
	msgSchema      = 1
	msgDictionary  = 2
	msgRecordBatch = 3
)

// ipcMessage is what parseMessage reads from a Message flatbuffer.
type ipcMessage struct {
	headerType byte
	bodyLen    int64
	rows       int64  // record batches only
	codec      string // record batches only
}

func parseMessage(buf []byte) (ipcMessage, error) {
	var m ipcMessage
	msg, ok := fbRoot(buf)
	if !ok {
		return m, errBadFlatbuffer
	}
	if m.headerType, ok = msg.byteField(1, 0); !ok {
		return m, errBadFlatbuffer
	}
	if m.bodyLen, ok = msg.int64Field(3, 0); !ok || m.bodyLen < 0 {
		return m, errBadFlatbuffer
	}
	header, present, ok := msg.tableField(2)
	if !ok || !present {
		return m, errBadFlatbuffer
	}
	switch m.headerType {
	case msgSchema:
		if !checkSchema(header) {
			return m, errBadFlatbuffer
		}
		return m, nil
	case msgDictionary:
		data, present, ok := header.tableField(1)
		if !ok || !present || !checkBatch(data, m.bodyLen) {
			return m, errBadFlatbuffer
		}
		return m, nil
	case msgRecordBatch:
	default:
		return m, nil
	}
	batch := header
	if !checkBatch(batch, m.bodyLen) {
		return m, errBadFlatbuffer
	}
	if m.rows, ok = batch.int64Field(0, 0); !ok || m.rows < 0 {
		return m, errBadFlatbuffer
	}
	m.codec = "uncompressed"
	comp, present, ok := batch.tableField(3)
	if !ok {
		return m, errBadFlatbuffer
	}
	if present {
		c, ok := comp.byteField(0, 0)
		if !ok {
			return m, errBadFlatbuffer
		}
		switch c {
		case 0:
			m.codec = "lz4_frame"
		case 1:
			m.codec = "zstd"
		default:
			m.codec = "unknown"
		}
	}
	return m, nil
}

// ipcStreamLayout walks an IPC stream's messages, skipping bodies, to read
// each record batch's row count and the first batch's codec.
func ipcStreamLayout(r io.ReaderAt, size int64) (ipcFileMeta, error) {
	meta := ipcFileMeta{codec: "uncompressed"}
	var off int64
	prefix := make([]byte, 8)
	for off+4 <= size {
		if _, err := r.ReadAt(prefix[:4], off); err != nil {
			return meta, err
		}
		metaLen := int64(binary.LittleEndian.Uint32(prefix))
		start := off + 4
		if metaLen == 0xFFFFFFFF {
			if off+8 > size {
				return meta, errBadFlatbuffer
			}
			if _, err := r.ReadAt(prefix[4:8], off+4); err != nil {
				return meta, err
			}
			metaLen = int64(binary.LittleEndian.Uint32(prefix[4:]))
			start = off + 8
		}
		if metaLen == 0 {
			return meta, nil // end-of-stream marker
		}
		if metaLen > 1<<26 || start+metaLen > size {
			return meta, errBadFlatbuffer
		}
		buf := make([]byte, metaLen)
		if _, err := r.ReadAt(buf, start); err != nil {
			return meta, err
		}
		m, err := parseMessage(buf)
		if err != nil {
			return meta, err
		}
		if m.bodyLen > size-start-metaLen {
			return meta, errBadFlatbuffer
		}
		if m.headerType == msgRecordBatch {
			if len(meta.batchRows) == 0 {
				meta.codec = m.codec
			}
			meta.batchRows = append(meta.batchRows, m.rows)
		}
		off = start + metaLen + m.bodyLen
	}
	return meta, nil // a stream may end without the marker
}
