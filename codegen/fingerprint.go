package codegen

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	"github.com/tickc/tickc/ir"
)

// stateVersion names the layout of the state that generated code keeps
// (lambda and fused-node state) as checkpoints store it. It is part of
// every fingerprint: change it whenever that layout changes, so that a
// program refuses the checkpoints of programs generated before.
const stateVersion = "tickc-state-1"

// fingerprint identifies the compiled task: a hash of the state version
// and of the task's IR as ir.Dump prints it (every node, property and
// position), with the script's file name reduced to its base so that the
// directory it was built from does not matter. Two builds of one script
// by one tickc have the same fingerprint; a changed script has another.
func fingerprint(p *ir.Program) string {
	cp := *p
	cp.File = filepath.Base(p.File)
	h := sha256.New()
	h.Write([]byte(stateVersion))
	h.Write([]byte{0})
	h.Write([]byte(ir.Dump(&cp)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
