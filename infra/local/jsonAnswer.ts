/** An HTTP answer's status and body: parsed as JSON where it is JSON, else the text as it came. */
export const jsonAnswer = async (res: Response): Promise<{ status: number; json: unknown }> => {
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    return { status: res.status, json: text };
  }
};
