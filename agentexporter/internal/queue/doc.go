// Package queue is the agent exporter's bounded FIFO of log batches.
//
// The collector's exporterhelper queue can only block or refuse new data
// when full; an agent cut off from central must instead keep its newest
// results, so this queue drops the oldest records and reports how many.
package queue
