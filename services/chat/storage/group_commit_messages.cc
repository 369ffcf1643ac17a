// GroupCommitMessages: a queue of waiting sends, drained by whichever send finds it idle.
#include "services/chat/storage/group_commit_messages.h"

#include <string>
#include <tuple>

#include "absl/container/flat_hash_set.h"

namespace chatter::chat {

GroupCommitMessages::GroupCommitMessages(MessageRepository& inner, MessageBatchWriter& batches,
                                         metrics::Registry& registry, Options options)
    : inner_(inner),
      batches_(batches),
      options_(options),
      batches_run_(registry.GetCounter(
          "chat_message_batches_total",
          "Statements that stored sends; messages per statement = chat_messages_batched_total / "
          "this.")),
      messages_batched_(registry.GetCounter("chat_messages_batched_total",
                                            "Sends stored through the group commit.")),
      refused_(registry.GetCounter(
          "chat_message_sends_refused_total",
          "Sends refused at once because too many were already waiting to be stored.")),
      queued_(registry.GetCounter("chat_message_sends_queued_total",
                                  "Sends that waited behind a statement already running.")) {}

absl::StatusOr<std::optional<StoredMessage>> GroupCommitMessages::Insert(
    const NewMessage& message) {
  Slot slot;
  slot.message = &message;
  absl::MutexLock lock(&mu_);
  if (waiting_.size() >= options_.max_waiting) {
    refused_.Inc();
    return absl::ResourceExhaustedError("too many messages waiting to be stored; retry shortly");
  }
  waiting_.push_back(&slot);
  if (running_) {
    queued_.Inc();
  } else {
    running_ = true;  // Nobody is storing: this send leads the next batch.
    slot.lead = true;
  }
  while (!slot.answer.has_value()) {
    if (!slot.lead) {
      slot.wake.Wait(&mu_);
      continue;
    }
    slot.lead = false;
    std::vector<Slot*> batch = TakeBatchLocked();
    mu_.Unlock();
    std::vector<Answer> answers = Run(batch);
    mu_.Lock();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i]->answer = std::move(answers[i]);
      if (batch[i] != &slot) batch[i]->wake.Signal();
    }
    // The oldest send still waiting leads the next batch (possibly this one, when its own
    // send did not fit); with none waiting, the next arrival leads.
    if (waiting_.empty()) {
      running_ = false;
    } else {
      waiting_.front()->lead = true;
      if (waiting_.front() != &slot) waiting_.front()->wake.Signal();
    }
  }
  return *std::move(slot.answer);
}

std::vector<GroupCommitMessages::Slot*> GroupCommitMessages::TakeBatchLocked() {
  std::vector<Slot*> batch;
  absl::flat_hash_set<std::tuple<std::string, std::string, std::string>> keys;
  for (auto it = waiting_.begin(); it != waiting_.end() && batch.size() < options_.max_batch;) {
    const NewMessage& message = *(*it)->message;
    if (message.client_msg_id &&
        !keys.emplace(message.room_id, message.sender_id, *message.client_msg_id).second) {
      ++it;  // A retry of a send in this batch: the next batch finds the stored one.
      continue;
    }
    batch.push_back(*it);
    it = waiting_.erase(it);
  }
  return batch;
}

std::vector<GroupCommitMessages::Answer> GroupCommitMessages::Run(const std::vector<Slot*>& batch) {
  batches_run_.Inc();
  messages_batched_.Inc(static_cast<double>(batch.size()));
  if (batch.size() == 1) return {inner_.Insert(*batch[0]->message)};
  std::vector<NewMessage> messages;
  messages.reserve(batch.size());
  for (const Slot* slot : batch) messages.push_back(*slot->message);
  absl::StatusOr<std::vector<std::optional<StoredMessage>>> stored = batches_.InsertBatch(messages);
  if (stored.ok() && stored->size() != batch.size()) {
    stored = absl::InternalError("store messages: one answer per message expected");
  }
  if (!stored.ok()) return std::vector<Answer>(batch.size(), stored.status());
  std::vector<Answer> answers;
  answers.reserve(batch.size());
  for (std::optional<StoredMessage>& answer : *stored) answers.emplace_back(std::move(answer));
  return answers;
}

}  // namespace chatter::chat
