// Journey map: PNG download drawn from the server's SVG of the map (canvas in the browser).
const button = document.getElementById("jm-png");
if (button) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const response = await fetch(button.dataset.src, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const svgUrl = URL.createObjectURL(new Blob([await response.text()], { type: "image/svg+xml" }));
      const image = new Image();
      await new Promise((resolve, reject) => {
        image.onload = resolve;
        image.onerror = () => reject(new Error("the SVG could not be drawn"));
        image.src = svgUrl;
      });
      const scale = 2;
      const canvas = document.createElement("canvas");
      canvas.width = image.naturalWidth * scale;
      canvas.height = image.naturalHeight * scale;
      const context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.scale(scale, scale);
      context.drawImage(image, 0, 0);
      URL.revokeObjectURL(svgUrl);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.dataset.name;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (error) {
      button.textContent = `PNG failed (${error.message})`;
    } finally {
      button.disabled = false;
    }
  });
}
