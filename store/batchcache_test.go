package store

import "testing"

// TestBatchListCacheFollowsChanges lists a batch (cached), marks it paid,
// and lists it again: the list shows it paid; a caller changing its copy
// changes nothing the next list shows.
func TestBatchListCacheFollowsChanges(t *testing.T) {
	e := newEnv(t)
	e.payable()
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil {
		t.Fatalf("batch %+v %v", b, err)
	}
	list, err := e.st.ListPayoutBatches(e.admin, "acme")
	if err != nil || len(list) != 1 || list[0].Status == BatchPaid || len(list[0].Items) != 1 {
		t.Fatalf("list before: %+v %v", list, err)
	}
	list[0].Items[0].Commissions[0] = 999
	list[0].Items = nil
	if _, err := e.st.MarkBatchPaid(e.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 { // decoded again, then from the cache
		list, err = e.st.ListPayoutBatches(e.admin, "acme")
		if err != nil || len(list) != 1 || list[0].Status != BatchPaid || len(list[0].Items) != 1 ||
			list[0].Items[0].Commissions[0] == 999 {
			t.Fatalf("list after: %+v %v", list, err)
		}
		list[0].Items[0].Commissions[0] = 999
	}
	page, _, err := e.st.PayoutBatchesPage(e.admin, "acme", Page{})
	if err != nil || len(page) != 1 || page[0].Status != BatchPaid || page[0].Items[0].Commissions[0] == 999 {
		t.Fatalf("page: %+v %v", page, err)
	}
}
