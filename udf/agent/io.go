package agent

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
)

// MaxMessageSize is the largest message ReadMessage accepts. A larger length
// prefix means the peer writes something other than the protocol.
const MaxMessageSize = 64 << 20

// ErrTooLarge is the error of a length prefix above MaxMessageSize.
var ErrTooLarge = errors.New("message length over 64 MiB: the peer does not speak the UDF protocol")

// WriteMessage writes m to w as one frame: its length as an unsigned varint,
// then its protobuf bytes. buf is scratch space that may be reused between
// calls; the grown buffer is returned. The message is encoded once, after
// room for the longest length prefix, which is then filled in.
func WriteMessage(w io.Writer, m proto.Message, buf []byte) ([]byte, error) {
	buf = append(buf[:0], make([]byte, binary.MaxVarintLen64)...)
	buf, err := proto.MarshalOptions{}.MarshalAppend(buf, m)
	if err != nil {
		return buf, err
	}
	size := len(buf) - binary.MaxVarintLen64
	var prefix [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(prefix[:], uint64(size))
	start := binary.MaxVarintLen64 - n
	copy(buf[start:], prefix[:n])
	_, err = w.Write(buf[start:])
	return buf, err
}

// ReadMessage reads one frame from r into m. buf is scratch space that may
// be reused between calls; the grown buffer is returned. At the end of the
// input before a frame it returns io.EOF; in the middle of a frame,
// io.ErrUnexpectedEOF.
func ReadMessage(r *bufio.Reader, m proto.Message, buf []byte) ([]byte, error) {
	size, err := binary.ReadUvarint(r)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return buf, io.ErrUnexpectedEOF
		}
		if err == io.EOF {
			return buf, io.EOF
		}
		return buf, fmt.Errorf("reading a message length: %w", err)
	}
	if size > MaxMessageSize {
		return buf, ErrTooLarge
	}
	if uint64(cap(buf)) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return buf, err
	}
	if err := proto.Unmarshal(buf, m); err != nil {
		return buf, fmt.Errorf("decoding a %d-byte message: %w", size, err)
	}
	return buf, nil
}
