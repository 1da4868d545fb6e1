// The command table: every action a key, a menu item or the help window names, once. The
// menu bar (app/ui/menu_bar.cpp), the keyboard (handle_shortcuts) and the F1 help window are
// generated from it, so they cannot disagree; modes (a quiz, presenter mode, a text field
// with the keyboard) are rules over it (Command::available), not separate key handlers.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "app/state/app_state.h"

namespace normviz::app {

// A key with exactly these modifiers (GLFW key code; GLFW_MOD_SHIFT / GLFW_MOD_CONTROL bits,
// other modifiers ignored). key 0: none.
struct KeyChord {
    int key = 0;
    int mods = 0;
};

struct Command {
    const char* menu;   // "File", "View", "Lessons", "Help"; nullptr: no menu item
    const char* label;  // the menu item's text
    const char* keys;   // the keys as the menu and help show them ("Shift + K"); nullptr: none
    const char* help;   // the help window's sentence; rows with the same sentence share a row
    KeyChord chords[2];
    // Works while a text field has the keyboard (function keys, Ctrl+Q).
    bool global = false;
    // Draws a separator before its menu item.
    bool separator = false;
    void (*run)(AppState&) = nullptr;              // nullptr: a mouse gesture, documented only
    bool (*checked)(const AppState&) = nullptr;    // a toggle's state for its menu item
    bool (*available)(const AppState&) = nullptr;  // nullptr: always
    // A submenu drawn in place of a plain item (its entries depend on the state: panels,
    // colour scales, lessons).
    void (*submenu)(AppState&) = nullptr;
};

std::span<const Command> commands();
// Runs every available command bound to this key and modifiers; `text_input`: a text field
// has the keyboard (only global commands run). Returns how many ran.
int run_key_commands(AppState& state, int key, int mods, bool text_input);
// The help window's rows: keys and sentence, consecutive commands with the same sentence
// joined ("Left / Right").
struct HelpRow {
    std::string keys;
    std::string help;
};
std::vector<HelpRow> help_rows();

}  // namespace normviz::app
