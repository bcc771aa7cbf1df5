// Command embedmod runs a compiled task inside its own program: it writes
// points to it and prints what its httpOut endpoint serves.
package main

import (
	"fmt"
	"os"

	tickrt "github.com/tickc/tickc/runtime"

	"example.com/embedmod/tasks"
)

func main() {
	p, err := tickrt.NewProgram([]tickrt.TaskSpec{tasks.Spec()}, nil, nil, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	points, err := tickrt.ParseLines([]byte("cpu,host=a usage=40 1\ncpu,host=a usage=70 2\n"), "telegraf", "autogen", 1, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.Write(points); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	body, _ := p.Task("cpu").HTTPOut("high").JSON()
	fmt.Println(string(body))
}
