// confd-yaml-oracle prints the keys and values confd 0.16's file backend reads from data files:
// each file is decoded with gopkg.in/yaml.v2 into interface{} values and walked the way confd
// walks them (a string as it is, an int with strconv.Itoa, a bool with strconv.FormatBool, a
// float64 with strconv.FormatFloat(f, 'f', -1, 64); nil and every other type give no key), later
// files winning. The result is one JSON object, key to value, on stdout. Tend's differential
// tests compare its confd mode of the file store with this.
//
// It is built against Debian's golang-gopkg-yaml.v2-dev (v2.4.0). confd 0.16 vendors v2.2.1,
// whose resolve.go differs in one place: its float pattern requires the exponent's sign and a
// digit after the dot, so 2.5e3 and 1. stay strings there. That one difference is applied on
// top of the decoder, so the program answers as confd 0.16 does.
//
// Usage: confd-yaml-oracle FILE...
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v2"
)

// The float pattern of yaml.v2 v2.2.1, the version confd 0.16 vendors.
var confdFloat = regexp.MustCompile(`^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$`)

// node is one decoded YAML node: a []node, a map[interface{}]node, or what the decoder makes of a
// scalar, with the scalar's text at hand for the v2.2.1 float rule.
type node struct {
	v interface{}
}

func (n *node) UnmarshalYAML(unmarshal func(interface{}) error) error {
	var seq []node
	if err := unmarshal(&seq); err == nil {
		n.v = seq // a null decodes as an empty list here, which gives no key either
		return nil
	}
	var m map[interface{}]node
	if err := unmarshal(&m); err == nil {
		n.v = m
		return nil
	}
	var v interface{}
	if err := unmarshal(&v); err != nil {
		return err
	}
	if f, ok := v.(float64); ok {
		var text string
		// A string target receives the scalar's text as written.
		if err := unmarshal(&text); err == nil && v2_2_1String(text) {
			n.v = text
			return nil
		}
		n.v = f
		return nil
	}
	n.v = v
	return nil
}

// v2_2_1String reports whether yaml.v2 v2.2.1 leaves a text that v2.4.0 read as a float a string:
// a text starting with a digit or sign (a leading dot is read by strconv.ParseFloat in both, as
// are .inf and .nan) that is no integer (an integer tagged !!float is one in both) and that its
// float pattern does not match.
func v2_2_1String(text string) bool {
	if text == "" || !strings.ContainsRune("0123456789+-", rune(text[0])) {
		return false
	}
	switch text {
	case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return false
	}
	plain := strings.Replace(text, "_", "", -1)
	if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return false
	}
	return !confdFloat.MatchString(plain)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: confd-yaml-oracle FILE...")
		os.Exit(2)
	}
	vars := map[string]string{}
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var doc map[interface{}]node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(1)
		}
		if err := walk(doc, "/", vars); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(1)
		}
	}
	out, err := json.Marshal(vars)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}

// walk is confd's nodeWalk over the decoded nodes.
func walk(v interface{}, key string, vars map[string]string) error {
	switch v := v.(type) {
	case node:
		return walk(v.v, key, vars)
	case []node:
		for i, item := range v {
			if err := walk(item, path.Join(key, strconv.Itoa(i)), vars); err != nil {
				return err
			}
		}
	case map[interface{}]node:
		for k, item := range v {
			name, ok := k.(string)
			if !ok {
				// confd's k.(string) panics here; say so rather than guess.
				return fmt.Errorf("map key %v (%T) is not a string: confd panics on it", k, k)
			}
			if err := walk(item, path.Join(key, name), vars); err != nil {
				return err
			}
		}
	case string:
		vars[key] = v
	case int:
		vars[key] = strconv.Itoa(v)
	case bool:
		vars[key] = strconv.FormatBool(v)
	case float64:
		vars[key] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return nil
}
