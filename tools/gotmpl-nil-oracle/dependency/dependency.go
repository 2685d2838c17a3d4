// Package dependency declares the consul-template types the oracle's data holds, under the
// package name consul-template gives them, so %T and Go's error messages name them as it does.
package dependency

// Node is a catalog node (consul-template's dependency.Node).
type Node struct {
	ID              string
	Node            string
	Address         string
	Datacenter      string
	TaggedAddresses map[string]string
	Meta            map[string]string
}

// CatalogNodeService is one service of a node.
type CatalogNodeService struct {
	ID      string
	Service string
	Port    int
}

// CatalogNode is what consul-template's node returns; for a node the catalog does not have,
// Node is a nil pointer.
type CatalogNode struct {
	Node     *Node
	Services []*CatalogNodeService
}
