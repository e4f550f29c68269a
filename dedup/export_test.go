package dedup

// SetStoreStage sets the function a Store calls at the stages of its
// writes where a crash leaves distinct files (see testStage).
func SetStoreStage(f func(stage string)) { testStage = f }
