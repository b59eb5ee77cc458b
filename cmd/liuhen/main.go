// Command liuhen records decision meetings as evidence and checks every
// registered decision against the procedure list.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:]))
}
