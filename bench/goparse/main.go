// Command goparse times Go's text/template Parse on one file, for comparison with
// Tend.Templates' Parse500Lines benchmark.  Usage: goparse -t FILE -n N
package main

import (
	"flag"
	"fmt"
	"os"
	"text/template"
	"time"
)

func main() {
	file := flag.String("t", "", "template file")
	n := flag.Int("n", 1000, "iterations")
	flag.Parse()
	text, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	start := time.Now()
	for i := 0; i < *n; i++ {
		if _, err := template.New("bench").Parse(string(text)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("%d ns/op\n", time.Since(start).Nanoseconds()/int64(*n))
}
