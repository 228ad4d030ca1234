// Command central is the CLI and server; see "central --help".
package main

import (
	"os"

	"github.com/centralhq/central/pkg/cmd/root"
)

func main() { os.Exit(root.Main(os.Args[1:])) }
