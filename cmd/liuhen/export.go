package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"

	bundle "github.com/liuhen/liuhen/evidence"
	"github.com/liuhen/liuhen/storage"
)

func newExportCommand() *cobra.Command {
	var decision, item int64
	var out string
	cmd := &cobra.Command{
		Use:   "export (--decision ID | --agenda-item ID) -o FILE",
		Short: "Write the signed evidence bundle of a decision or an agenda item",
		Long: `export writes one ZIP file holding the master segments, exactly as stored,
that cover the agenda item's index points (every track of the recording), the
meeting, agenda item, decision and matter records as JSON, and a manifest of
every file with its SHA-256 and a Merkle root over the segments, signed with
the server's Ed25519 key (LIUHEN_SIGNING_KEY_FILE). Each segment is hashed
while it is copied; one that no longer matches its catalogued SHA-256 stops
the export, and no file is written. Anyone can check the bundle offline with
liuhen verify-bundle.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			kind, id, err := exportSubject(decision, item)
			if err != nil {
				return err
			}
			if out == "" {
				return usagef("-o: name the file to write, such as -o liuhen-%s-%d.zip",
					kind, id)
			}
			c, err := mustConfig(needSigning | needObjects)
			if err != nil {
				return err
			}
			key, err := bundle.LoadKeyFile(c.SigningKeyFile)
			if err != nil {
				return err
			}
			return withServices(cmd, needObjects, func(_ config, svc services) error {
				return exportBundle(cmd.Context(), svc, key, kind, id, out, cmd.OutOrStdout())
			})
		},
	}
	f := cmd.Flags()
	f.Int64Var(&decision, "decision", 0, "id of the decision to export")
	f.Int64Var(&item, "agenda-item", 0, "id of the agenda item to export")
	f.StringVarP(&out, "output", "o", "", "file to write the bundle to (replaced if it exists)")
	return cmd
}

func exportSubject(decision, item int64) (bundle.SubjectKind, int64, error) {
	switch {
	case decision != 0 && item != 0:
		return "", 0, usagef("give --decision or --agenda-item, not both")
	case decision > 0:
		return bundle.SubjectDecision, decision, nil
	case item > 0:
		return bundle.SubjectAgendaItem, item, nil
	case decision < 0 || item < 0:
		return "", 0, usagef("--decision and --agenda-item take a positive id")
	}
	return "", 0, usagef("give --decision ID or --agenda-item ID: what to export")
}

// newExporter wires the exporter to the agenda store and the evidence
// store get returns.
func newExporter(svc services, get func() (*storage.Store, error),
	key ed25519.PrivateKey) *bundle.Exporter {
	return bundle.NewExporter(bundleCatalog{store: svc.store}, bundleObjects{get: get}, key)
}

func exportBundle(ctx context.Context, svc services, key ed25519.PrivateKey,
	kind bundle.SubjectKind, id int64, path string, out io.Writer) error {
	e := newExporter(svc, func() (*storage.Store, error) { return svc.objects, nil }, key)
	p, err := e.Plan(ctx, kind, id)
	if err != nil {
		return err
	}
	if err := e.WriteFile(ctx, path, p); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: evidence of %s (agenda item %d of meeting %d), "+
		"%d segments, %d bytes of media\ncheck it with: liuhen verify-bundle %s "+
		"--public-key %s\n", path, p.Subject, p.Subject.AgendaItemID, p.Subject.MeetingID,
		len(p.Segments), p.SegmentBytes(), path, bundle.EncodePublicKey(e.PublicKey()))
	return nil
}

func newVerifyBundleCommand() *cobra.Command {
	var publicKey string
	cmd := &cobra.Command{
		Use:   "verify-bundle FILE --public-key FILE_OR_BASE64",
		Short: "Check an evidence bundle offline: signature, manifest and every file",
		Long: `verify-bundle checks an evidence bundle written by liuhen export, with no
server and no database: the manifest's signature under the public key given
(base64 of the 32-byte Ed25519 key, or a file holding it in base64 or PEM;
liuhen keygen --public prints it, GET /api/v1/signing-key serves it), the
manifest's own consistency and Merkle root, and each file's size and SHA-256.
It lists every problem: a changed, missing, reordered or extra file, an edited
manifest, a bundle signed by another key. Exit status 0: valid; 1: invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if publicKey == "" {
				return usagef("--public-key: give the server's public key, in base64 or " +
					"as a file; `liuhen keygen --public` prints it")
			}
			pub, err := bundle.ReadPublicKey(publicKey)
			if err != nil {
				return usageError{fmt.Errorf("--public-key: %w", err)}
			}
			report, err := bundle.VerifyFile(args[0], pub)
			if errors.Is(err, fs.ErrNotExist) {
				return usagef("no bundle at %s", args[0])
			} else if err != nil {
				return err
			}
			if err := report.Write(cmd.OutOrStdout()); err != nil {
				return err
			}
			if !report.Valid() {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&publicKey, "public-key", "",
		"the server's public key: base64, or a file holding it (base64 or PEM)")
	return cmd
}

func newKeygenCommand() *cobra.Command {
	var public, asPEM bool
	cmd := &cobra.Command{
		Use:   "keygen [--public [--pem]]",
		Short: "Create the Ed25519 key that signs evidence bundles, or print its public key",
		Long: `keygen writes a new signing key to LIUHEN_SIGNING_KEY_FILE (PEM of PKCS #8,
readable by its owner only) and prints its public key. It never replaces an
existing key: bundles signed with it would no longer verify. With --public it
prints the public key of the existing key instead: base64 of its 32 bytes,
which verify-bundle --public-key takes, or with --pem as PEM for OpenSSL.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asPEM && !public {
				return usagef("--pem goes with --public")
			}
			c, err := mustConfig(needSigning)
			if err != nil {
				return err
			}
			if public {
				return printPublicKey(c.SigningKeyFile, asPEM, cmd.OutOrStdout())
			}
			pub, err := bundle.GenerateKeyFile(c.SigningKeyFile)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote a new signing key to %s; keep it, back "+
				"it up, and publish its public key:\n", c.SigningKeyFile)
			fmt.Fprintln(cmd.OutOrStdout(), bundle.EncodePublicKey(pub))
			return nil
		},
	}
	cmd.Flags().BoolVar(&public, "public", false, "print the public key of the existing key")
	cmd.Flags().BoolVar(&asPEM, "pem", false, "with --public: print it as PEM")
	return cmd
}

func printPublicKey(path string, asPEM bool, out io.Writer) error {
	key, err := bundle.LoadKeyFile(path)
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	if !asPEM {
		_, err = fmt.Fprintln(out, bundle.EncodePublicKey(pub))
		return err
	}
	text, err := bundle.PublicKeyPEM(pub)
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, text)
	return err
}
