// The label inventory: derived from training rows, saved as labels.json, read back.
#include <gtest/gtest.h>

#include "core/error.h"
#include "test_paths.h"
#include "top/labels.h"

namespace byt5::top {
namespace {

using byt5::testing::TempDir;

std::vector<data::Example> rows() {
  return {
      {"alarm", "set an alarm for 7am", "[IN:CREATE_ALARM set an alarm [SL:DATE_TIME for 7am ] ]", "a.tsv", 2},
      {"reminder", "remind me to call mom",
       "[IN:CREATE_REMINDER remind [SL:PERSON_REMINDED me ] to [SL:TODO [IN:GET_TODO call "
       "[SL:ATTENDEE mom ] ] ] ]",
       "r.tsv", 2},
      {"reminder", "when is it", "[IN:GET_REMINDER when [SL:DATE_TIME ] is it ]", "r.tsv", 3},
  };
}

TEST(TopLabels, CollectsPerDomainAndOverall) {
  LabelInventory inv = LabelInventory::from_examples(rows());
  EXPECT_EQ(inv.all().intents, (std::set<std::string>{"IN:CREATE_ALARM", "IN:CREATE_REMINDER",
                                                       "IN:GET_REMINDER", "IN:GET_TODO"}));
  EXPECT_EQ(inv.all().slots, (std::set<std::string>{"SL:ATTENDEE", "SL:DATE_TIME",
                                                     "SL:PERSON_REMINDED", "SL:TODO"}));
  ASSERT_EQ(inv.domains().size(), 2u);
  EXPECT_EQ(inv.domains().at("alarm").slots, (std::set<std::string>{"SL:DATE_TIME"}));
  EXPECT_EQ(inv.domains().at("reminder").intents.size(), 3u);
  EXPECT_TRUE(inv.contains("SL:ATTENDEE"));
  EXPECT_FALSE(inv.contains("SL:LOCATION"));
}

TEST(TopLabels, RecordsTheGrammarAndReadsItBack) {
  LabelInventory inv = LabelInventory::from_examples(rows());
  ASSERT_TRUE(inv.has_grammar());
  EXPECT_EQ(inv.roots(), (std::set<std::string>{"IN:CREATE_ALARM", "IN:CREATE_REMINDER", "IN:GET_REMINDER"}));
  EXPECT_EQ(inv.children().at("IN:CREATE_REMINDER"), (std::set<std::string>{"SL:PERSON_REMINDED", "SL:TODO"}));
  EXPECT_EQ(inv.children().at("SL:TODO"), (std::set<std::string>{"IN:GET_TODO"}));
  EXPECT_EQ(inv.children().count("SL:ATTENDEE"), 0u);  // holds only words
  EXPECT_EQ(inv.max_depth(), 4);        // IN:CREATE_REMINDER > SL:TODO > IN:GET_TODO > SL:ATTENDEE
  EXPECT_EQ(inv.max_empty_nodes(), 1);  // "[SL:DATE_TIME ]"
  LabelInventory back = LabelInventory::from_json(inv.to_json());
  EXPECT_TRUE(back.has_grammar());
  EXPECT_EQ(back.roots(), inv.roots());
  EXPECT_EQ(back.children(), inv.children());
  EXPECT_EQ(back.max_depth(), 4);
  EXPECT_EQ(back.max_empty_nodes(), 1);
  nlohmann::json negative = inv.to_json();
  negative["max_depth"] = -1;
  EXPECT_THROW(LabelInventory::from_json(negative), Error);

  nlohmann::json old = inv.to_json();  // a file written before the grammar was recorded
  old.erase("roots");
  old.erase("children");
  EXPECT_FALSE(LabelInventory::from_json(old).has_grammar());
  nlohmann::json half = inv.to_json();
  half.erase("roots");
  EXPECT_THROW(LabelInventory::from_json(half), Error);
  nlohmann::json bad = inv.to_json();
  bad["children"]["IN:CREATE_REMINDER"] = {"not a label"};
  try {
    LabelInventory::from_json(bad, "m/labels.json");
    FAIL() << "accepted a child that is not a label";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m/labels.json"), std::string::npos) << e.what();
  }
}

TEST(TopLabels, InvalidTrainingParseNamesFileAndLine) {
  auto bad = rows();
  bad[2].parse = "[IN:GET_REMINDER when";
  try {
    LabelInventory::from_examples(bad);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("r.tsv:3: invalid gold parse: byte 21"), std::string::npos)
        << e.what();
  }
}

TEST(TopLabels, SavesAndLoads) {
  TempDir tmp;
  LabelInventory inv = LabelInventory::from_examples(rows());
  inv.save(tmp.path() / "labels.json");
  LabelInventory back = LabelInventory::load(tmp.path() / "labels.json");
  EXPECT_EQ(back.to_json(), inv.to_json());
  nlohmann::json j = inv.to_json();
  EXPECT_EQ(j["format"], "byt5-top-labels");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["intents"][0], "IN:CREATE_ALARM");
  EXPECT_EQ(j["domains"]["alarm"]["slots"][0], "SL:DATE_TIME");
}

TEST(TopLabels, RejectsWhatIsNotAnInventory) {
  TempDir tmp;
  EXPECT_THROW(LabelInventory::load(tmp.path() / "missing.json"), Error);
  EXPECT_THROW(LabelInventory::load(tmp.write("x.json", "{not json")), Error);
  nlohmann::json j = LabelInventory::from_examples(rows()).to_json();
  j["slots"].push_back("IN:NOT_A_SLOT");
  try {
    LabelInventory::from_json(j, "labels.json");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'IN:NOT_A_SLOT', not a SL:LABEL"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LabelInventory::from_json({{"format", "other"}}), Error);
}

}  // namespace
}  // namespace byt5::top
