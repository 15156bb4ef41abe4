import { fireEvent, render, screen } from "@solidjs/testing-library";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { ApiError } from "../../api/client.ts";
import type { LoginRequest } from "../../api/types.ts";
import { setLocale } from "../../i18n/index.ts";
import { LoginForm } from "./LoginForm.tsx";

beforeEach(() => setLocale("tr"));

function fill(label: string, value: string) {
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
}

describe("the login form", () => {
  test("asks for the 6-digit code when the account has a second factor, then sends all three", async () => {
    const submit = vi
      .fn<(request: LoginRequest) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(401, "totp_required", "second factor"))
      .mockResolvedValueOnce(undefined);
    render(() => <LoginForm submit={submit} />);
    fill("Kullanıcı adı", " Ayse ");
    fill("Parola", "correct horse battery staple");
    fireEvent.click(screen.getByRole("button", { name: "Oturum aç" }));

    const code = await screen.findByLabelText("6 haneli kod");
    expect(submit).toHaveBeenCalledWith({
      username: "ayse",
      password: "correct horse battery staple",
    });
    expect(screen.getByText(/iki adımlı doğrulama/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();

    fireEvent.input(code, { target: { value: "123456" } });
    fireEvent.click(screen.getByRole("button", { name: "Doğrula" }));
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(2));
    expect(submit.mock.calls[1]?.[0]).toEqual({
      username: "ayse",
      password: "correct horse battery staple",
      totp: "123456",
    });
  });

  test("a wrong password is said in the user's language", async () => {
    const submit = vi.fn(() =>
      Promise.reject(new ApiError(401, "invalid_credential", "the credential is wrong")),
    );
    render(() => <LoginForm submit={submit} />);
    fill("Kullanıcı adı", "ayse");
    fill("Parola", "wrong password!");
    fireEvent.click(screen.getByRole("button", { name: "Oturum aç" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Kullanıcı adı, parola veya kod yanlış.",
    );
    expect(screen.queryByLabelText("6 haneli kod")).toBeNull();
  });

  test("a lockout keeps the hub's detail beside the translated reason", async () => {
    setLocale("en");
    const submit = vi.fn(() =>
      Promise.reject(new ApiError(429, "too_many_requests", "try again in 14 minutes")),
    );
    render(() => <LoginForm submit={submit} />);
    fill("User name", "ayse");
    fill("Password", "whatever it is");
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Too many attempts. try again in 14 minutes",
    );
  });
});
