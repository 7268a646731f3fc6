package sweep

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Finished jobs are appended to logs, one per worker and run, under
// <out>/jobs: a record is a 32-byte header (magic, cell id, path, payload
// length, CRC-32 of the payload) and the gob-encoded result. A process
// killed mid-write leaves at most a torn last record, which the next scan
// ignores (that job simply runs again). One append per job replaces a file
// per job: a large sweep would otherwise leave hundreds of thousands of
// files, and creating and renaming them costs more than the job.

const (
	recordMagic  = "MLJ1"
	recordHeader = 4 + 16 + 4 + 4 + 4
)

// jobKey names a job: a cell on a path.
type jobKey struct {
	cell string
	path int
}

// jobRef locates a complete record.
type jobRef struct {
	key  jobKey
	file string
	off  int64 // of the payload
	n    int
}

// jobWriter appends records to one log.
type jobWriter struct {
	f   *os.File
	buf bytes.Buffer
}

// newJobWriter creates a new log in dir/jobs for worker w.
func newJobWriter(dir string, w int) (*jobWriter, error) {
	jobs := filepath.Join(dir, "jobs")
	for seq := 0; ; seq++ {
		name := filepath.Join(jobs, fmt.Sprintf("w%02d-%04d.log", w, seq))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &jobWriter{f: f}, nil
	}
}

// append writes one record with a single write.
func (w *jobWriter) append(r *jobResult) error {
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(r); err != nil {
		return err
	}
	if len(r.Cell) != 16 {
		return fmt.Errorf("sweep: cell id %q is not 16 characters", r.Cell)
	}
	w.buf.Reset()
	w.buf.WriteString(recordMagic)
	w.buf.WriteString(r.Cell)
	var h [12]byte
	binary.LittleEndian.PutUint32(h[0:], uint32(r.Path))
	binary.LittleEndian.PutUint32(h[4:], uint32(payload.Len()))
	binary.LittleEndian.PutUint32(h[8:], crc32.ChecksumIEEE(payload.Bytes()))
	w.buf.Write(h[:])
	w.buf.Write(payload.Bytes())
	_, err := w.f.Write(w.buf.Bytes())
	return err
}

func (w *jobWriter) close() error { return w.f.Close() }

// scanJobs indexes the complete records of every log in dir/jobs. A job
// found twice (run again after a torn record was written by a killed run)
// keeps its first complete record.
func scanJobs(dir string) (map[jobKey]jobRef, error) {
	logs, err := filepath.Glob(filepath.Join(dir, "jobs", "*.log"))
	if err != nil {
		return nil, err
	}
	slices.Sort(logs)
	out := map[jobKey]jobRef{}
	for _, name := range logs {
		if err := scanLog(name, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanLog(name string, out map[jobKey]jobRef) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	hdr := make([]byte, recordHeader)
	var payload []byte
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return nil // end of log, or a torn header
		}
		if string(hdr[:4]) != recordMagic {
			return nil // garbage after a torn record
		}
		key := jobKey{cell: string(hdr[4:20]), path: int(binary.LittleEndian.Uint32(hdr[20:]))}
		n := int(binary.LittleEndian.Uint32(hdr[24:]))
		sum := binary.LittleEndian.Uint32(hdr[28:])
		if n > 1<<30 {
			return nil
		}
		payload = slices.Grow(payload[:0], n)[:n]
		if _, err := io.ReadFull(r, payload); err != nil || crc32.ChecksumIEEE(payload) != sum {
			return nil // torn payload: the job runs again
		}
		if _, dup := out[key]; !dup {
			out[key] = jobRef{key: key, file: name, off: off + recordHeader, n: n}
		}
		off += int64(recordHeader + n)
	}
}

// readJob reads and decodes the record at ref.
func readJob(ref jobRef) (*jobResult, error) {
	return readJobWith(ref, &warmDecoder{})
}

// readJobWith is readJob decoding with w.
func readJobWith(ref jobRef, w *warmDecoder) (*jobResult, error) {
	f, err := os.Open(ref.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, ref.n)
	if _, err := f.ReadAt(b, ref.off); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", ref.file, err)
	}
	var r jobResult
	if err := w.decode(b, &r); err != nil {
		return nil, fmt.Errorf("sweep: %s at %d is corrupt (%v); delete that log and run again to redo its jobs", ref.file, ref.off, err)
	}
	return &r, nil
}

// A record is a standalone gob stream: the type definitions, then the
// value, each a message. A new gob.Decoder compiles its decoding of every
// type again, which costs far more than decoding the value. A warmDecoder
// keeps the decoder of the last record; a record whose type definitions
// are the same bytes (every record written by one build) is decoded by
// feeding that decoder its value message alone.
type warmDecoder struct {
	defs  string // the type-definition messages dec has read
	src   bytes.Reader
	dec   *gob.Decoder
	fresh int // decoders made (a test checks that they are reused)
}

func (w *warmDecoder) decode(b []byte, r *jobResult) error {
	cut, err := lastGobMessage(b)
	if err != nil {
		return err
	}
	if w.dec != nil && string(b[:cut]) == w.defs {
		w.src.Reset(b[cut:])
	} else {
		w.defs = string(b[:cut])
		w.src.Reset(b)
		w.dec = gob.NewDecoder(&w.src) // bytes.Reader is an io.ByteReader: no read-ahead
		w.fresh++
	}
	if err := w.dec.Decode(r); err != nil {
		w.dec = nil // a failed decoder is not reused
		return err
	}
	return nil
}

// lastGobMessage returns the offset of the last message of gob stream b.
// Each message is its length as a gob unsigned integer, then that many
// bytes.
func lastGobMessage(b []byte) (int, error) {
	off, last := 0, -1
	for off < len(b) {
		n, w := gobUint(b[off:])
		if w == 0 || n > uint64(len(b)-off-w) {
			return 0, errors.New("gob message length past the end of the record")
		}
		last, off = off, off+w+int(n)
	}
	if last < 0 {
		return 0, errors.New("empty record")
	}
	return last, nil
}

// gobUint decodes the gob unsigned integer at the start of b: one byte
// below 128, else a byte holding the negated byte count, then that many
// bytes, big-endian. w is 0 when b is too short or malformed.
func gobUint(b []byte) (x uint64, w int) {
	if len(b) == 0 {
		return 0, 0
	}
	if b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	k := int(-int8(b[0]))
	if k < 1 || k > 8 || len(b) < 1+k {
		return 0, 0
	}
	for _, c := range b[1 : 1+k] {
		x = x<<8 | uint64(c)
	}
	return x, 1 + k
}

func sortRefs(refs []jobRef) {
	slices.SortFunc(refs, func(a, b jobRef) int {
		if c := strings.Compare(a.key.cell, b.key.cell); c != 0 {
			return c
		}
		return a.key.path - b.key.path
	})
}

// readJobsInOrder decodes the records of refs on up to workers goroutines,
// at most window records ahead of the caller, and hands them to use in the
// order of refs. Decoding a record (a standalone gob stream, so it carries
// its type definitions) costs more than building its table rows, and it
// runs after every job has finished, on otherwise idle cores. It stops at
// the first error, from decoding or from use.
func readJobsInOrder(refs []jobRef, workers, window int, use func(*jobResult) error) error {
	type decoded struct {
		r   *jobResult
		err error
	}
	slots := make([]chan decoded, len(refs))
	for i := range slots {
		slots[i] = make(chan decoded, 1)
	}
	stop := make(chan struct{})
	defer close(stop)
	ahead := make(chan struct{}, window) // a token per record decoded but not yet used
	busy := make(chan struct{}, workers)
	warm := make(chan *warmDecoder, workers) // one per decoding goroutine at a time
	for range workers {
		warm <- &warmDecoder{}
	}
	go func() {
		for i, ref := range refs {
			select {
			case ahead <- struct{}{}:
			case <-stop:
				return
			}
			busy <- struct{}{}
			go func() {
				w := <-warm
				r, err := readJobWith(ref, w)
				warm <- w
				<-busy
				slots[i] <- decoded{r, err}
			}()
		}
	}()
	for i := range refs {
		d := <-slots[i]
		<-ahead
		if d.err != nil {
			return d.err
		}
		if err := use(d.r); err != nil {
			return err
		}
	}
	return nil
}
