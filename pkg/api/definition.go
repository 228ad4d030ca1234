package api

// The definitions group describes the resources a server serves, so clients
// discover kinds instead of hard-coding them. Each is served as a
// ResourceInstance whose spec is one of the types below.

// DefinitionsGroup is the group of the definition resources.
const DefinitionsGroup = "definitions"

// ResourceGroupSpec is the spec of a ResourceGroup (definitions/groups).
type ResourceGroupSpec struct {
	Description string `json:"description,omitempty"`
}

// ResourceDefinitionSpec is the spec of a ResourceDefinition
// (definitions/groups/{group}/resources).
type ResourceDefinitionSpec struct {
	Kind         string                 `json:"kind"`
	Plural       string                 `json:"plural"`
	Scope        *DefinitionScope       `json:"scope,omitempty"`
	APIVersions  []DefinitionVersion    `json:"apiVersions"`
	SubResources DefinitionSubResources `json:"subResources"`
}

// DefinitionScope names the kind a scoped resource lives in.
type DefinitionScope struct {
	Kind string `json:"kind"`
}

// DefinitionVersion is one API version of a kind; the newest comes first.
type DefinitionVersion struct {
	Name       string `json:"name"`
	Served     bool   `json:"served"`
	Deprecated bool   `json:"deprecated"`
}

// DefinitionSubResources lists the named subresources of a kind. Any key
// starting with "x-" is a subresource too.
type DefinitionSubResources struct {
	Names []string `json:"names"`
}

// CommandLineSpec is the spec of a CommandLineInterface
// (definitions/groups/{group}/commandlines): how the CLI names and prints a
// kind in one scope.
type CommandLineSpec struct {
	ResourceDefinition string       `json:"resourceDefinition"`
	Names              CommandNames `json:"names"`
	Columns            []Column     `json:"columns"`
}

// CommandNames are the words that select a kind on the command line.
type CommandNames struct {
	Plural          string   `json:"plural"`
	Singular        string   `json:"singular"`
	ShortNames      []string `json:"shortNames"`
	ShortNamesAlias []string `json:"shortNamesAlias,omitempty"`
}

// Column is one column of a kind's table.
type Column struct {
	Name string `json:"name"`
	// Type is "string" or "date" (printed as a relative age).
	Type        string `json:"type"`
	JSONPath    string `json:"jsonPath"`
	Description string `json:"description,omitempty"`
	Hidden      bool   `json:"hidden,omitempty"`
}
