// T5 relative position bias: a learned (NB, H) table indexed by a log-spaced bucket of
// key_pos - query_pos, bidirectional in the encoder and causal in the decoder.
#pragma once

namespace byt5 {

// Bucket of relative_position = key_pos - query_pos, computed in float32 as Hugging Face does.
int relative_position_bucket(int relative_position, bool bidirectional, int num_buckets, int max_distance);

// bias (H, Tq, Tk): bias[h][i][j] = table[bucket(j - (i + q_offset))][h].
void position_bias_forward(float* bias, const float* table, int H, int Tq, int Tk, int q_offset, bool bidirectional,
                           int num_buckets, int max_distance);
// dtable (NB, H) += the sum of dbias (H, Tq, Tk) per bucket.
void position_bias_backward(float* dtable, const float* dbias, int H, int Tq, int Tk, int q_offset, bool bidirectional,
                            int num_buckets, int max_distance);

}  // namespace byt5
