// Command gotmpl-nil-oracle renders templates with Go's text/template over data holding a typed nil
// pointer, which the JSON data of gotmpl-oracle cannot express: consul-template's node of a node the
// catalog does not have returns a CatalogNode whose Node is a nil *dependency.Node.
//
//	gotmpl-nil-oracle -cases CASES.jsonl
//	    read one JSON object a line {"name","template","data","missingkey"} and print one JSON
//	    object a line {"name","output","error"} ("error" is "" on success)
//
// Data maps from JSON as gotmpl-oracle's does (objects to map[string]any, arrays to []any, integers
// to int, other numbers to float64), except that the object {"$catalogNode": {}} becomes
// &dependency.CatalogNode{Services: []*dependency.CatalogNodeService{}}, whose Node is nil.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/template"

	"gotmpl-nil-oracle/dependency"
)

func convert(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["$catalogNode"]; ok && len(x) == 1 {
			return &dependency.CatalogNode{Services: []*dependency.CatalogNodeService{}}
		}
		for k, e := range x {
			x[k] = convert(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = convert(e)
		}
		return x
	case json.Number:
		if !strings.ContainsAny(x.String(), ".eE") {
			if i, err := x.Int64(); err == nil {
				return int(i)
			}
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

type inCase struct {
	Name       string          `json:"name"`
	Template   string          `json:"template"`
	Data       json.RawMessage `json:"data"`
	MissingKey string          `json:"missingkey"`
}

type outCase struct {
	Name   string `json:"name"`
	Output string `json:"output"`
	Error  string `json:"error"`
}

func run(c inCase) (string, error) {
	var data any
	if len(c.Data) > 0 {
		d := json.NewDecoder(bytes.NewReader(c.Data))
		d.UseNumber()
		if err := d.Decode(&data); err != nil {
			return "", fmt.Errorf("bad data: %w", err)
		}
		data = convert(data)
	}
	t := template.New(c.Name)
	if c.MissingKey != "" {
		t = t.Option("missingkey=" + c.MissingKey)
	}
	t, err := t.Parse(c.Template)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, data)
	return b.String(), err
}

func main() {
	cases := flag.String("cases", "", "JSON-lines file of cases")
	flag.Parse()
	if *cases == "" {
		flag.Usage()
		os.Exit(2)
	}
	f, err := os.Open(*cases)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c inCase
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			fmt.Fprintln(os.Stderr, "bad case line:", err)
			os.Exit(2)
		}
		out, rerr := run(c)
		o := outCase{Name: c.Name, Output: out}
		if rerr != nil {
			o.Error = rerr.Error()
		}
		if err := enc.Encode(o); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
