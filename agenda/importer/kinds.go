package importer

import "context"

// layouts are the columns of each kind of file.
var layouts = map[Kind]layout{
	KindUnits:     unitsLayout,
	KindBodies:    bodiesLayout,
	KindMatters:   mattersLayout,
	KindMeetings:  meetingsLayout,
	KindDecisions: decisionsLayout,
}

// runners read and write each kind of file in the import's transaction.
// A runner reports bad rows to the job's problems and writes nothing
// when there are any.
var runners = map[Kind]func(context.Context, *job, []*table) error{
	KindUnits:     importUnits,
	KindBodies:    importBodies,
	KindMatters:   importMatters,
	KindMeetings:  importMeetings,
	KindDecisions: importDecisions,
}
