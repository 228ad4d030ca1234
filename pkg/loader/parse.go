package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Parse reads the resource entries of one source's content; source is only
// used to name it in entries and errors. Load uses it for every file and for
// stdin.
//
// YAML or JSON is told by the content, not the extension, as Amplify parses
// .json files as YAML too: content starting with '{' or '[' is read as a
// stream of JSON values, which gives the user JSON's line and column on a
// syntax error; if that fails but the content is valid YAML (a flow mapping,
// a trailing comma), the YAML reading is used.
func Parse(source string, data []byte) ([]Entry, error) {
	if len(data) >= MaxFileSize {
		return nil, &SourceError{Source: source, Err: ErrTooLarge}
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return nil, &SourceError{Source: source, Err: ErrEncoding}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF")) // Windows editors add a BOM
	p := &parser{source: source}
	var err error
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		err = p.parseJSON(data)
		if err != nil {
			y := &parser{source: source}
			if y.parseYAML(data) == nil {
				p, err = y, nil
			}
		}
	} else {
		err = p.parseYAML(data)
	}
	if err != nil {
		return nil, err
	}
	if len(p.entries) == 0 {
		return nil, &SourceError{Source: source, Err: ErrEmpty}
	}
	return p.entries, nil
}

// parser collects the entries of one source.
type parser struct {
	source  string
	entries []Entry
}

// parseJSON reads a stream of JSON values. The values stay raw, so numbers
// reach the resource exactly as written.
func (p *parser) parseJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for doc := 1; ; doc++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.jsonSyntaxError(data, dec, doc, err)
		}
		switch raw[0] { // Decode leaves no leading space in raw
		case 'n':
			// A null document is empty, like an empty YAML document.
		case '[':
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return p.jsonSyntaxError(data, dec, doc, err)
			}
			for _, item := range items {
				p.addJSON(item)
			}
		default:
			p.addJSON(raw)
		}
	}
}

func (p *parser) jsonSyntaxError(data []byte, dec *json.Decoder, doc int, err error) error {
	offset := dec.InputOffset()
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		offset = syntax.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		offset = int64(len(data))
		err = errors.New("unexpected end of JSON input")
	}
	before := data[:min(max(offset, 0), int64(len(data)))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
	detail := fmt.Sprintf("line %d, column %d: %s", line, col, err)
	return p.contentError(doc, detail, err)
}

// parseYAML reads every document of a YAML stream. It works on yaml.Node
// trees rather than decoding into Go values, which would turn integers
// beyond 64 bits into rounded floats.
func (p *parser) parseYAML(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	conv := newConverter(len(data))
	for doc := 1; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.contentError(doc, strings.TrimPrefix(err.Error(), "yaml: "), err)
		}
		if len(n.Content) == 0 {
			continue
		}
		root := n.Content[0]
		switch {
		case root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null":
			// An empty document: not an entry.
		case root.Kind == yaml.SequenceNode:
			for _, item := range root.Content {
				if err := p.addYAML(conv, item); err != nil {
					return p.contentError(doc, err.Error(), err)
				}
			}
		default:
			if err := p.addYAML(conv, root); err != nil {
				return p.contentError(doc, err.Error(), err)
			}
		}
	}
}

// contentError names the document only when it is not the first, so that
// single-document files get the plain "line N: …".
func (p *parser) contentError(doc int, detail string, cause error) error {
	if doc > 1 {
		detail = fmt.Sprintf("document %d: %s", doc, detail)
	}
	return &SourceError{Source: p.source, Err: ErrContent, Detail: detail, Cause: cause}
}
