// Package yamlfile provides strict YAML decoding with errors that name the
// file, line and key path.
//
// A file is read twice: once into a yaml.Node, from which NewIndex records
// the line of every key path, and once into Go types with a yaml.Decoder
// whose KnownFields is set. Translate turns what the decoder reports (an
// unknown key, a value of the wrong type, a syntax error) into *Error
// values that name the line and, through the Index, the key path; a Schema
// supplies what the Go types alone cannot say, such as the keys allowed
// where an unknown one stands. Problems found after decoding name their
// line with Index.Line. Join sorts the problems by line and joins them
// into one error.
//
// An Error reads "source:line: path = value: problem", leaving out what is
// unknown, optionally after a prefix ("venue: ...").
package yamlfile
