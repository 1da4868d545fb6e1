// Error values for user and data problems: core returns them, app shows the message.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace normviz::core {

// A sentence that says what is wrong and how to fix it, worded like a TORCH_CHECK message.
struct Error {
    std::string message;
};

// Either a value or an Error. Programmer mistakes use NORMVIZ_ASSERT instead.
template <class T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}
    Result(Error error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    const Error& error() const { return std::get<Error>(state_); }

private:
    std::variant<T, Error> state_;
};

// For operations that return nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace normviz::core
