package monitoring

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxYAMLNodes bounds the tree built from a file, so that aliases of aliases
// (a "billion laughs" file) cannot exhaust memory. Ten thousand endpoints
// need well under a million nodes.
const maxYAMLNodes = 5_000_000

// parseYAML reads a YAML document into a tree of map[string]any, []any,
// string and nil. Every scalar stays the text the user wrote (so a name
// such as 1.10 is not turned into the number 1.1); the decode hook converts
// text to numbers, booleans and durations where a field needs one. Anchors,
// aliases and merge keys (<<) work as in Gatus's YAML library.
func parseYAML(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse YAML: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, errors.New("the file is empty; it needs at least an endpoints: list")
	}
	b := treeBuilder{budget: maxYAMLNodes}
	v, err := b.build(doc.Content[0], "")
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the top level must be a mapping with keys such as endpoints: and agents:")
	}
	return m, nil
}

type treeBuilder struct {
	budget int
}

func (b *treeBuilder) build(n *yaml.Node, path string) (any, error) {
	b.budget--
	if b.budget < 0 {
		return nil, errors.New("the file expands to too many values (aliases nested too deep?)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return b.build(n.Content[0], path)
	case yaml.AliasNode:
		return b.build(n.Alias, path)
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return nil, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, err := b.build(c, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		return b.mapping(n, path)
	default:
		return nil, fmt.Errorf("%s: unsupported YAML node (line %d)", displayPath(path), n.Line)
	}
}

// mapping builds a map. Keys written in the mapping win over merged ones,
// and among merged mappings the first listed wins, as YAML specifies.
func (b *treeBuilder) mapping(n *yaml.Node, path string) (map[string]any, error) {
	out := make(map[string]any, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: keys must be plain text (line %d)", displayPath(path), k.Line)
		}
		childPath := joinPath(path, k.Value)
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("%s is defined twice (line %d)", childPath, k.Line)
		}
		val, err := b.build(v, childPath)
		if err != nil {
			return nil, err
		}
		out[k.Value] = val
	}
	for _, m := range merges {
		if err := b.merge(out, m, path); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *treeBuilder) merge(into map[string]any, n *yaml.Node, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	var sources []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		sources = []*yaml.Node{n}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.AliasNode {
				c = c.Alias
			}
			sources = append(sources, c)
		}
	}
	for _, s := range sources {
		if s.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: << must merge a mapping or a list of mappings (line %d)", displayPath(path), n.Line)
		}
		m, err := b.mapping(s, path)
		if err != nil {
			return err
		}
		for k, v := range m {
			if _, ok := into[k]; !ok {
				into[k] = v
			}
		}
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	if key == "" {
		return path
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}
