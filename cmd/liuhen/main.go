// Command liuhen records decision meetings as evidence and checks every
// registered decision against the procedure list.
package main

import (
	"os"

	// The zone database, so that TZ=Asia/Shanghai works on hosts and in
	// images without one (debian:bookworm-slim has none).
	_ "time/tzdata"
)

func main() {
	os.Exit(run(os.Args[1:]))
}
