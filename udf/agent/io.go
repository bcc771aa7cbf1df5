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
// calls; the grown buffer is returned.
func WriteMessage(w io.Writer, m proto.Message, buf []byte) ([]byte, error) {
	var err error
	buf = binary.AppendUvarint(buf[:0], uint64(proto.Size(m)))
	buf, err = proto.MarshalOptions{}.MarshalAppend(buf, m)
	if err != nil {
		return buf, err
	}
	_, err = w.Write(buf)
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
