// Package openapi holds Liuhen's OpenAPI document and serves it.
package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	_ "embed"

	"go.yaml.in/yaml/v3"

	"github.com/liuhen/liuhen/internal/problem"
)

// source is the document as written; openapi.yaml is the file to edit.
//
//go:embed openapi.yaml
var source []byte

// YAML returns the document as written.
func YAML() []byte { return append([]byte(nil), source...) }

// converted is the document as JSON, converted once.
var converted = sync.OnceValues(func() ([]byte, error) { return toJSON(source) })

// JSON returns the document converted to JSON, or an error when the YAML
// cannot be converted (the tests make sure it can).
func JSON() ([]byte, error) {
	b, err := converted()
	return append([]byte(nil), b...), err
}

// ServeJSON answers the document as JSON.
func ServeJSON(w http.ResponseWriter, _ *http.Request) {
	b, err := converted()
	if err != nil {
		problem.Write(w, http.StatusInternalServerError,
			"the OpenAPI document could not be converted to JSON")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// ServeYAML answers the document as written, as application/yaml (RFC 9512).
func ServeYAML(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(source)
}

// toJSON converts a YAML document to JSON.
func toJSON(data []byte) ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse OpenAPI YAML: %w", err)
	}
	v, err := jsonValue(doc)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode OpenAPI JSON: %w", err)
	}
	return b, nil
}

// jsonValue turns what the YAML decoder made into values JSON can hold: a
// mapping whose keys are not all strings comes back as
// map[any]any, which JSON cannot encode.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			c, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[k] = c
		}
		return v, nil
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("convert OpenAPI YAML: key %v is not a string; "+
					"quote it", k)
			}
			c, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			m[s] = c
		}
		return m, nil
	case []any:
		for i, e := range v {
			c, err := jsonValue(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
		return v, nil
	}
	return v, nil
}
