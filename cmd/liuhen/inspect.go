package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/liuhen/liuhen/inspect"
)

// issueInspectorToken prints a new inspector token for name on stdout,
// and on stderr what it is and where to use it.
func issueInspectorToken(cmd *cobra.Command, name string, ttl time.Duration) error {
	if reason := inspect.CheckName(name); reason != "" {
		return usagef("--inspector %q: %s", name, reason)
	}
	if !cmd.Flags().Changed("ttl") {
		ttl = inspect.DefaultTokenTTL
	}
	if ttl < inspect.MinTokenTTL || ttl > inspect.MaxTokenTTL {
		return usagef("--ttl %v: give a duration from %v to %v, such as 720h", ttl,
			inspect.MinTokenTTL, inspect.MaxTokenTTL)
	}
	return withServices(cmd, needDatabase, func(c config, svc services) error {
		rec, token, err := inspect.NewTokens(svc.pool).Create(cmd.Context(), name, ttl)
		if err != nil {
			return err
		}
		fmt.Fprintln(cmd.OutOrStdout(), token)
		fmt.Fprintf(cmd.ErrOrStderr(), "inspector token %d for %s, valid until %s\n"+
			"search page: %s/search#token=%s\n", rec.ID, rec.Name,
			rec.ExpiresAt.Local().Format(time.RFC3339), c.publicURL(), token)
		return nil
	})
}
