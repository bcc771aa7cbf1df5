package agent

import (
	"strings"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// prototextString is m in compact text format without spaces, stable for
// comparisons.
func prototextString(m proto.Message) string {
	s := prototext.MarshalOptions{}.Format(m)
	return strings.NewReplacer(" ", "", "\n", "").Replace(s)
}
