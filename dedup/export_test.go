package dedup

// SetAVX512 switches the AVX-512 signing kernel off (or back on, where the
// CPU has it) and returns the previous setting.
func SetAVX512(on bool) (was bool) {
	was = hasAVX512
	setAVX512(on)
	return was
}

// SetStoreStage sets the function a Store calls at the stages of its
// writes where a crash leaves distinct files (see testStage).
func SetStoreStage(f func(stage string)) { testStage = f }
