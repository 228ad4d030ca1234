package loader

import "go.yaml.in/yaml/v3"

// member is one key of a mapping, after merge keys are expanded.
type member struct {
	key   string
	value *yaml.Node
}

// members lists the keys of a mapping in order. A merge key (<<: *base)
// brings in the keys of other mappings where it stands, except those the
// mapping sets itself. A key set twice is an error, as in yaml.v3 and js-yaml:
// the second one is most likely a typo that would silently win.
func (c *converter) members(n *yaml.Node) ([]member, error) {
	own := map[string]int{} // key → line
	for i := 0; i+1 < len(n.Content); i += 2 {
		if err := c.charge(); err != nil {
			return nil, err
		}
		k := n.Content[i]
		if isMerge(k) {
			continue
		}
		key, err := keyString(k)
		if err != nil {
			return nil, err
		}
		if line, dup := own[key]; dup {
			return nil, lineError(k, "mapping key %q already defined at line %d", key, line)
		}
		own[key] = k.Line
	}
	var out []member
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !isMerge(k) {
			key, _ := keyString(k) // checked above
			out = append(out, member{key, v})
			continue
		}
		more, err := c.merged(v)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			if _, set := own[m.key]; !set && !merged[m.key] {
				merged[m.key] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// merged returns the members a merge key brings in: those of one mapping,
// or of a list of mappings where the earlier ones win.
func (c *converter) merged(v *yaml.Node) ([]member, error) {
	v = resolveAlias(v)
	if v.Kind == yaml.MappingNode {
		return c.mergedMapping(v)
	}
	if v.Kind != yaml.SequenceNode {
		return nil, lineError(v, "a merge key (<<) needs a mapping or a list of mappings")
	}
	var out []member
	seen := map[string]bool{}
	for _, item := range v.Content {
		item = resolveAlias(item)
		if item.Kind != yaml.MappingNode {
			return nil, lineError(item, "a merge key (<<) needs a mapping or a list of mappings")
		}
		more, err := c.mergedMapping(item)
		if err != nil {
			return nil, err
		}
		for _, m := range more {
			if !seen[m.key] {
				seen[m.key] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// mergedMapping lists a merged mapping's members, refusing one that merges
// itself, directly or not.
func (c *converter) mergedMapping(m *yaml.Node) ([]member, error) {
	if err := c.charge(); err != nil { // even an empty mapping costs a visit
		return nil, err
	}
	if c.active[m] {
		return nil, lineError(m, "an alias refers to the collection that contains it")
	}
	c.active[m] = true
	defer delete(c.active, m)
	return c.members(m)
}

// charge counts a step of merge expansion against the budget: merges write
// nothing until the end, so chains of them could otherwise explode unseen.
func (c *converter) charge() error {
	c.spent++
	if c.spent+len(c.buf) > c.limit {
		return errExpansion
	}
	return nil
}

// keyString renders a mapping key as a JSON object key. JSON keys are
// strings, so only scalar keys are accepted; a null key becomes "null" as in
// js-yaml.
func keyString(k *yaml.Node) (string, error) {
	k = resolveAlias(k)
	if k.Kind != yaml.ScalarNode {
		return "", lineError(k, "a mapping key must be a plain value, not a list or mapping")
	}
	if k.ShortTag() == "!!null" {
		return "null", nil
	}
	return k.Value, nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge"
}

// resolveAlias returns the node an alias stands for; an anchor never names
// another alias, so one step is enough.
func resolveAlias(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return n.Alias
	}
	return n
}
