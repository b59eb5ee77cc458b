package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/liuhen/liuhen/agenda/importer"
)

func newImportCommand() *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import KIND FILE",
		Short: "Import an office spreadsheet (XLSX or CSV): units, bodies, matters, meetings, decisions",
		Long: `import reads an Excel workbook (.xlsx) or a CSV file (UTF-8, with or without
BOM, or GBK as Excel and WPS save it on Chinese Windows) and writes it in one
transaction: the whole file or nothing. KIND is one of:

  units      单位编码, 单位名称, 层级 (县/乡镇/部门/村), 上级单位编码
  bodies     单位编码, 会议主体编码, 会议主体名称, 会议类型, and per seat 成员编码,
             姓名, 职务, 角色, 任职起, 任职止 (one row per seat)
  matters    单位编码, 事项编码, 事项名称, 类别, 三重一大, 决策主体 (e.g.
             村两委会议→村民代表会议), 金额标准, 金额口径, 到会要求, 表决规则,
             末位表态, 回避, 全程录像, 依据
  meetings   one row per agenda item: 会议编码, 会议主体, 会议名称, 会议时间, 结束时间,
             会议形式, 主持人, 出席人员, 缺席人员, 议题序号, 议题名称, 事项编码,
             汇报人, 表决结果, 赞成, 反对, 弃权, 回避人员
  decisions  单位编码, 事项编码, 标题, 金额, 收款单位, 项目, 决策时间, 登记时间, 文号,
             会议编码, 议题序号

Headers may be Chinese or English, below a title row, merged; records are
found again by code (decisions by unit and 文号), so importing a file twice
changes nothing. A bad file exits with status 2 and lists every bad cell by
sheet, row and column. FILE "-" reads standard input.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("give KIND and FILE, such as: liuhen import matters 程序清单.xlsx")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := importer.ParseKind(args[0])
			if err != nil {
				return usageError{err}
			}
			c, err := mustConfig(needImport)
			if err != nil {
				return err
			}
			name, data, err := readImportFile(args[1], c.ImportMaxBytes, cmd.InOrStdin())
			if err != nil {
				return err
			}
			return withServices(cmd, needDatabase, func(_ config, svc services) error {
				res, err := importer.Import(cmd.Context(), svc.pool, kind, name, data,
					importer.Options{DryRun: dryRun, Progress: newProgress(os.Stderr)})
				if err != nil {
					return importFailure(err)
				}
				printImport(cmd.OutOrStdout(), name, res)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false,
		"check the file and count what would change, writing nothing")
	return cmd
}

// readImportFile reads FILE, or standard input for "-", refusing one over
// the limit before reading it.
func readImportFile(path string, max int64, stdin io.Reader) (string, []byte, error) {
	if path == "-" {
		data, err := importer.ReadAll(stdin, max)
		return "stdin", data, importFailure(err)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", nil, usagef("open %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > max {
		return "", nil, importFailure(importer.TooLarge(max))
	} else if err == nil && st.IsDir() {
		return "", nil, usagef("%s is a directory: give a spreadsheet file", path)
	}
	data, err := importer.ReadAll(f, max)
	return filepath.Base(path), data, importFailure(err)
}

// importFailure makes a bad file exit with status 2, and leaves other
// errors (the database) to exit 3.
func importFailure(err error) error {
	if err == nil {
		return nil
	}
	for _, bad := range []error{importer.ErrInvalid, importer.ErrNotSpreadsheet,
		importer.ErrEmpty, importer.ErrTooLarge} {
		if errors.Is(err, bad) {
			return badInputError{err}
		}
	}
	return err
}

func printImport(w io.Writer, name string, res importer.Result) {
	note := ""
	if res.DryRun {
		note = " (dry run: nothing was written)"
	}
	fmt.Fprintf(w, "%s: %d rows of %s read%s\n", name, res.Rows, res.Kind, note)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tCREATED\tUPDATED\tUNCHANGED\tREMOVED")
	for _, c := range res.Counts {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", c.Table, c.Created, c.Updated, c.Unchanged,
			c.Removed)
	}
	_ = tw.Flush()
	if len(res.Ignored) > 0 {
		fmt.Fprintf(w, "columns not read: %s\n", strings.Join(res.Ignored, "; "))
	}
}

// progressEvery is how often, in rows, a plain progress line is written
// when standard error is not a terminal.
const progressEvery = 10_000

// newProgress shows an import's progress on w: a bar when w is a
// terminal, otherwise a line every progressEvery rows of a long import.
func newProgress(w *os.File) importer.Progress {
	if term.IsTerminal(int(w.Fd())) {
		var bar *progressbar.ProgressBar
		phase := ""
		return func(p string, done, total int) {
			if p != phase || bar == nil {
				phase = p
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w),
					progressbar.OptionSetDescription(p), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
			}
			_ = bar.Set(done)
		}
	}
	return func(phase string, done, total int) {
		if total >= progressEvery && (done%progressEvery == 0 || done == total) {
			fmt.Fprintf(w, "import: %s %d of %d rows\n", phase, done, total)
		}
	}
}
